//! Form fields as every page draws them: a visible label, an optional hint, the error next to
//! the field (and in the summary at the top), and the value the person typed kept.

/// What kind of control a field is.
pub enum Control {
    Text,
    Email,
    Password,
    /// A date typed as `1-3-2027` (a text box: date pickers differ per browser and phone).
    Date,
    /// Euros typed with a comma: a text box with a decimal keyboard on phones.
    Money,
    /// A whole number.
    Number,
    TextArea,
    /// `(value, text)` options.
    Select(Vec<(String, String)>),
    Checkbox,
    /// Files from the device or its camera, several at once.
    Files {
        accept: &'static str,
    },
}

impl Control {
    /// The `type` of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self {
            Control::Email => "email",
            Control::Password => "password",
            Control::Checkbox => "checkbox",
            Control::Files { .. } => "file",
            Control::Number => "number",
            _ => "text",
        }
    }

    pub fn is_text_area(&self) -> bool {
        matches!(self, Control::TextArea)
    }

    pub fn is_checkbox(&self) -> bool {
        matches!(self, Control::Checkbox)
    }

    pub fn options(&self) -> Option<&[(String, String)]> {
        match self {
            Control::Select(options) => Some(options),
            _ => None,
        }
    }

    pub fn accept(&self) -> Option<&'static str> {
        match self {
            Control::Files { accept } => Some(accept),
            _ => None,
        }
    }

    /// The keyboard a phone shows.
    pub fn input_mode(&self) -> Option<&'static str> {
        match self {
            Control::Money => Some("decimal"),
            Control::Number => Some("numeric"),
            _ => None,
        }
    }
}

/// One field of a form.
pub struct Field {
    /// Its `id` and `name`.
    pub id: String,
    pub label: String,
    pub hint: Option<String>,
    pub control: Control,
    pub value: String,
    pub autocomplete: &'static str,
    /// Marked "(optional)" after the label; every other field is required.
    pub optional: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn new(id: impl Into<String>, label: String, control: Control) -> Self {
        Field {
            id: id.into(),
            label,
            hint: None,
            control,
            value: String::new(),
            autocomplete: "off",
            optional: false,
            error: None,
        }
    }

    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = value.into();
        self
    }

    pub fn hint(mut self, hint: String) -> Self {
        self.hint = Some(hint);
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Whether a checkbox is ticked.
    pub fn checked(&self) -> bool {
        !self.value.is_empty()
    }

    /// The ids the control is described by: its hint and its error.
    pub fn described_by(&self) -> String {
        described_by(&self.id, self.hint.is_some(), self.error.is_some())
    }
}

/// `{id}-hint {id}-error`, of those there are.
fn described_by(id: &str, hint: bool, error: bool) -> String {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{id}-hint"));
    }
    if error {
        ids.push(format!("{id}-error"));
    }
    ids.join(" ")
}

/// What went wrong in a posted form, field by field, in the order of the form.
#[derive(Default)]
pub struct Errors(pub Vec<(String, String)>);

impl Errors {
    pub fn one(field: impl Into<String>, message: String) -> Self {
        Errors(vec![(field.into(), message)])
    }

    pub fn add(&mut self, field: impl Into<String>, message: String) {
        self.0.push((field.into(), message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Puts each message beside its field; the list stays for the summary at the top.
    pub fn attach(&self, fields: &mut [Field]) {
        for field in fields {
            field.error = self.0.iter().find(|(id, _)| *id == field.id).map(|(_, m)| m.clone());
        }
    }
}

impl Errors {
    /// The message for one field, for controls drawn outside [`Errors::attach`].
    pub fn message(&self, id: &str) -> Option<String> {
        self.0.iter().find(|(field, _)| field == id).map(|(_, m)| m.clone())
    }
}

/// Checkboxes that answer one question together, drawn as a `<fieldset>` whose legend asks it:
/// the person ticks any number, and a message for the whole group sits under the legend.
pub struct CheckboxGroup {
    /// The fieldset's `id`, which the error summary links to.
    pub id: String,
    pub legend: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    /// One optional checkbox field per choice.
    pub boxes: Vec<Field>,
}

impl CheckboxGroup {
    /// `(box id, label, hint, ticked)` per choice.
    pub fn new(
        id: &str,
        legend: String,
        hint: String,
        choices: Vec<(String, String, Option<String>, bool)>,
        errors: &Errors,
    ) -> Self {
        let boxes = choices
            .into_iter()
            .map(|(box_id, label, hint, ticked)| {
                let field = Field::new(box_id, label, Control::Checkbox).optional();
                let field = if ticked { field.value("yes") } else { field };
                match hint {
                    Some(hint) => field.hint(hint),
                    None => field,
                }
            })
            .collect();
        CheckboxGroup { id: id.to_owned(), legend, hint: Some(hint), error: errors.message(id), boxes }
    }

    pub fn described_by(&self) -> String {
        described_by(&self.id, self.hint.is_some(), self.error.is_some())
    }
}

/// The value of a field in a posted form read as pairs (forms with numbered lines).
pub fn value<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}
