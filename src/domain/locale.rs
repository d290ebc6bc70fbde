//! The language a person reads Pactum in.

text_enum! {
    #[derive(Default)]
    pub enum Locale {
        /// Dutch (the default).
        #[default]
        Nl,
        /// English.
        En,
    }
}
