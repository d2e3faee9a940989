//! Reading a Kafka topic that `audit_core::kafka::KafkaSink`s produce to:
//! `kafka://HOST:PORT[,HOST:PORT…]/TOPIC`.
//!
//! The reader assigns itself every partition of the topic, from the offsets
//! a consumer group committed (or from the start), and is caught up once
//! each partition said it has no more messages: the end the broker reports
//! with its fetches (not its listed offsets, which some Kafka-compatible
//! brokers get wrong). It does not join the group: one
//! reader per group, which is what appending each origin's chain to a store
//! in order needs (two ingesters would race for the same chains).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer as _};
use rdkafka::{Message as _, Offset, TopicPartitionList};

/// How long a request to the brokers may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A topic, from `kafka://BROKERS/TOPIC`, and the client's properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Topic {
    pub(crate) brokers: String,
    pub(crate) name: String,
    /// librdkafka properties (`security.protocol`, `ssl.ca.location`,
    /// `sasl.mechanisms`, ...), from `--kafka-option KEY=VALUE`.
    pub(crate) options: Vec<(String, String)>,
}

impl Topic {
    /// `kafka://BROKERS/TOPIC`; `None` for any other text.
    pub(crate) fn parse(text: &str) -> Option<Result<Topic, String>> {
        let rest = text.strip_prefix("kafka://")?;
        Some(match rest.split_once('/') {
            Some((brokers, topic)) if !brokers.is_empty() && !topic.is_empty() => Ok(Topic {
                brokers: brokers.to_owned(),
                name: topic.to_owned(),
                options: Vec::new(),
            }),
            _ => Err(format!(
                "{text}: a topic is given as kafka://HOST:PORT/TOPIC"
            )),
        })
    }
}

impl Topic {
    /// The topic with the client properties `options`, each `KEY=VALUE`.
    pub(crate) fn with_options(mut self, options: &[String]) -> Result<Topic, String> {
        for option in options {
            let Some((key, value)) = option.split_once('=') else {
                return Err(format!(
                    "--kafka-option {option}: write KEY=VALUE, a librdkafka property such as security.protocol=ssl"
                ));
            };
            self.options.push((key.to_owned(), value.to_owned()));
        }
        Ok(self)
    }
}

impl std::fmt::Display for Topic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kafka://{}/{}", self.brokers, self.name)
    }
}

/// One message of the topic.
pub(crate) struct Message {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    /// The key: the origin of the chain the line belongs to.
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) payload: Vec<u8>,
}

impl Message {
    /// Where the message is, for reports.
    pub(crate) fn place(&self) -> String {
        format!("partition {} offset {}", self.partition, self.offset)
    }
}

pub(crate) struct Reader {
    consumer: BaseConsumer,
    topic: Topic,
    /// Each partition's next offset to read.
    next: BTreeMap<i32, i64>,
    /// Whether each partition reported its end since its last message.
    at_end: BTreeMap<i32, bool>,
}

impl Reader {
    /// Opens `topic`, to read from `group`'s committed offsets, or from the
    /// start of every partition without a group.
    pub(crate) fn open(topic: &Topic, group: Option<&str>) -> Result<Reader, String> {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &topic.brokers)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "true")
            // Only what the producers' transactions, if any, committed.
            .set("isolation.level", "read_committed");
        // The group holds the committed offsets; without one, nothing is committed.
        config.set("group.id", group.unwrap_or("audit-verify"));
        for (key, value) in &topic.options {
            config.set(key, value);
        }
        let consumer: BaseConsumer = config
            .create()
            .map_err(|error| format!("{topic}: {error}"))?;
        let metadata = consumer
            .fetch_metadata(Some(&topic.name), TIMEOUT)
            .map_err(|error| format!("{topic}: {error}"))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|found| found.name() == topic.name)
            .flat_map(|found| {
                found
                    .partitions()
                    .iter()
                    .map(rdkafka::metadata::MetadataPartition::id)
            })
            .collect();
        if partitions.is_empty() {
            return Err(format!("{topic}: no such topic, or it has no partitions"));
        }
        let mut wanted = TopicPartitionList::new();
        for &partition in &partitions {
            wanted.add_partition(&topic.name, partition);
        }
        let mut next = BTreeMap::new();
        let committed = match group {
            Some(_) => consumer
                .committed_offsets(wanted, TIMEOUT)
                .map_err(|error| format!("{topic}: the group's offsets: {error}"))?,
            None => wanted,
        };
        let mut assignment = TopicPartitionList::new();
        for element in committed.elements() {
            let (offset, from) = match element.offset() {
                Offset::Offset(offset) => (Offset::Offset(offset), offset),
                _ => (Offset::Beginning, 0),
            };
            assignment
                .add_partition_offset(&topic.name, element.partition(), offset)
                .map_err(|error| format!("{topic}: {error}"))?;
            next.insert(element.partition(), from);
        }
        consumer
            .assign(&assignment)
            .map_err(|error| format!("{topic}: {error}"))?;
        let at_end = next.keys().map(|&partition| (partition, false)).collect();
        Ok(Reader {
            consumer,
            topic: topic.clone(),
            next,
            at_end,
        })
    }

    /// Whether every partition reported its end since its last message.
    pub(crate) fn caught_up(&self) -> bool {
        self.at_end.values().all(|&at_end| at_end)
    }

    /// The next message, waiting up to `timeout` for one.
    pub(crate) fn poll(&mut self, timeout: Duration) -> Result<Option<Message>, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.consumer.poll(left) {
                None => return Ok(None),
                Some(Err(rdkafka::error::KafkaError::PartitionEOF(partition))) => {
                    self.at_end.insert(partition, true);
                    if left.is_zero() || self.caught_up() {
                        return Ok(None);
                    }
                }
                Some(Err(error)) => return Err(format!("{}: {error}", self.topic)),
                Some(Ok(message)) => {
                    self.next.insert(message.partition(), message.offset() + 1);
                    self.at_end.insert(message.partition(), false);
                    return Ok(Some(Message {
                        partition: message.partition(),
                        offset: message.offset(),
                        key: message.key().map(<[u8]>::to_vec),
                        payload: message.payload().map(<[u8]>::to_vec).unwrap_or_default(),
                    }));
                }
            }
        }
    }

    /// Commits, for the group, every message read so far.
    pub(crate) fn commit(&self) -> Result<(), String> {
        let mut offsets = TopicPartitionList::new();
        for (&partition, &next) in &self.next {
            offsets
                .add_partition_offset(&self.topic.name, partition, Offset::Offset(next))
                .map_err(|error| format!("{}: {error}", self.topic))?;
        }
        self.consumer
            .commit(&offsets, CommitMode::Sync)
            .map_err(|error| format!("{}: committing the offsets: {error}", self.topic))
    }
}

#[cfg(test)]
mod tests {
    use super::Topic;

    #[test]
    fn topics() {
        assert_eq!(
            Topic::parse("kafka://h:9092,g:9092/audit"),
            Some(Ok(Topic {
                brokers: "h:9092,g:9092".to_owned(),
                name: "audit".to_owned(),
                options: Vec::new(),
            }))
        );
        assert!(Topic::parse("kafka://h:9092").unwrap().is_err());
        assert_eq!(Topic::parse("sqlite:x"), None);
        let topic = Topic::parse("kafka://h:9092/audit").unwrap().unwrap();
        let with = topic
            .clone()
            .with_options(&["security.protocol=ssl".to_owned()])
            .unwrap();
        assert_eq!(
            with.options,
            [("security.protocol".to_owned(), "ssl".to_owned())]
        );
        let error = topic.with_options(&["ssl".to_owned()]).unwrap_err();
        assert!(error.contains("write KEY=VALUE"), "{error}");
    }
}
