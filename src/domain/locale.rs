//! The language a person reads Pactum in.

text_enum! {
    /// A language of pages and emails.
    #[derive(Default)]
    pub enum Locale {
        /// Dutch (the default).
        #[default]
        Nl,
        /// English.
        En,
    }
}
