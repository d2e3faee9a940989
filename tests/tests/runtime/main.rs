//! Entries at run time: the request guard, the JSON-lines sink, bursts from
//! async tasks, no silent loss, and the chat example's lifecycle.

mod burst;
mod chat;
mod json_lines;
mod loss;
mod request;
mod sentences;
