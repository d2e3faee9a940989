//! Collects every error found in one struct, so that one build reports them
//! all, in scopes that each know whether they reported any.
//!
//! The derive reads and checks a struct through an [`ErrorSink`]. A step that
//! must know whether its own part failed (a field's attribute, a link
//! template) works in a child sink and asks it; the parent still knows that
//! something below it failed. The [`ErrorStore`] the sinks come from is
//! consumed at the end, once no sink is alive, into one combined error.

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

/// Every error reported while deriving one struct.
pub(crate) struct ErrorStore {
    data: RefCell<Data>,
}

#[derive(Default)]
struct Data {
    errors: Vec<syn::Error>,
    /// For each sink, by id: its parent's id, and whether it or a
    /// descendant reported an error.
    sinks: Vec<(Option<usize>, bool)>,
}

impl ErrorStore {
    pub(crate) fn new() -> Self {
        ErrorStore {
            data: RefCell::new(Data::default()),
        }
    }

    /// The root sink. It borrows the store, so that the store cannot be
    /// consumed while errors may still be reported.
    pub(crate) fn sink(&mut self) -> ErrorSink<'_> {
        ErrorSink::new(&self.data, None)
    }

    /// Every reported error combined into one, in the order reported.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        self.data
            .into_inner()
            .errors
            .into_iter()
            .reduce(|mut combined, error| {
                combined.combine(error);
                combined
            })
    }
}

/// A scope errors are reported in.
pub(crate) struct ErrorSink<'s> {
    data: &'s RefCell<Data>,
    id: usize,
}

impl<'s> ErrorSink<'s> {
    fn new(data: &'s RefCell<Data>, parent: Option<usize>) -> Self {
        let mut borrowed = data.borrow_mut();
        let id = borrowed.sinks.len();
        borrowed.sinks.push((parent, false));
        drop(borrowed);
        ErrorSink { data, id }
    }

    /// A scope inside this one: an error reported there is reported here too.
    pub(crate) fn new_child(&self) -> ErrorSink<'s> {
        ErrorSink::new(self.data, Some(self.id))
    }

    /// Reports an error spanned at `tokens`.
    pub(crate) fn error_spanned_by<T: ToTokens, M: Display>(&self, tokens: T, message: M) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    /// Reports `error`.
    pub(crate) fn push(&self, error: syn::Error) {
        let mut data = self.data.borrow_mut();
        data.errors.push(error);
        let mut id = Some(self.id);
        while let Some(current) = id {
            let (parent, failed) = &mut data.sinks[current];
            *failed = true;
            id = *parent;
        }
    }

    /// Whether an error was reported in this scope or in one inside it.
    pub(crate) fn has_errors(&self) -> bool {
        self.data.borrow().sinks[self.id].1
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::Span;

    use super::ErrorStore;

    #[test]
    fn a_scope_knows_whether_it_or_a_child_failed() {
        let mut store = ErrorStore::new();
        let root = store.sink();
        let ok = root.new_child();
        let failed = root.new_child();
        let grandchild = failed.new_child();
        grandchild.push(syn::Error::new(Span::call_site(), "first"));
        root.push(syn::Error::new(Span::call_site(), "second"));
        assert!(!ok.has_errors());
        assert!(grandchild.has_errors());
        assert!(failed.has_errors());
        assert!(root.has_errors());
        let messages: Vec<String> = store
            .into_error()
            .unwrap()
            .into_iter()
            .map(|error| error.to_string())
            .collect();
        assert_eq!(messages, ["first", "second"]);
    }

    #[test]
    fn no_error_is_none() {
        let mut store = ErrorStore::new();
        assert!(!store.sink().has_errors());
        assert!(store.into_error().is_none());
    }
}
