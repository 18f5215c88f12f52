//! The function table of the expression language as JSON, for the npm package's
//! `functions()`: the playground's completions and JS baseline read it instead of keeping
//! their own lists of names.

use std::fmt::Write as _;

use crate::front::functions::FUNCTIONS;

/// The functions as a JSON array, one object per name, in the table's order:
///
/// ```text
/// { "name": "sum", "kind": "reduce", "op": "sum", "arity": { "min": 1, "max": 2 },
///   "rule": "accumulate", "keywords": ["axis"], "accuracy": "exact",
///   "doc": "sum of the elements, or along axis", "aliasOf": null }
/// ```
///
/// `kind` is `unary`, `binary` or `reduce` (with `op` the IR operation's name, as in the IR's
/// JSON) or `special` (lowered by hand; `op` names it). `rule` is the kind of dtype rule,
/// `accuracy` `exact` or `ulp` (within 1 ULP of the correctly rounded result), `aliasOf`
/// the name this one is another spelling of.
///
/// ```
/// let table = numwasm::api::function_table_json();
/// assert!(table.starts_with("[{\"name\":\"copy\","));
/// assert!(table.contains("\"name\":\"abs\",\"kind\":\"unary\",\"op\":\"abs\""));
/// ```
#[must_use]
pub fn function_table_json() -> String {
    let text = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = String::from("[");
    for (i, f) in FUNCTIONS.iter().enumerate() {
        let keywords: Vec<String> = f.keywords.iter().map(|k| text(k)).collect();
        let _ = write!(
            out,
            "{}{{\"name\":{},\"kind\":\"{}\",\"op\":{},\"arity\":{{\"min\":{},\"max\":{}}},\"rule\":\"{}\",\"keywords\":[{}],\"accuracy\":\"{}\",\"doc\":{},\"aliasOf\":{}}}",
            if i > 0 { "," } else { "" },
            text(f.name),
            f.lowering.kind_name(),
            text(f.lowering.op_name()),
            f.min_args,
            f.max_args,
            f.rule.name(),
            keywords.join(","),
            f.accuracy.name(),
            text(f.doc),
            f.alias_of.map_or_else(|| "null".to_owned(), text),
        );
    }
    out.push(']');
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_json_is_the_table() {
        let rows: serde_json::Value =
            serde_json::from_str(&function_table_json()).expect("valid JSON");
        let rows = rows.as_array().expect("an array");
        assert_eq!(rows.len(), FUNCTIONS.len());
        for (row, f) in rows.iter().zip(FUNCTIONS) {
            assert_eq!(row["name"], f.name);
            assert_eq!(row["kind"], f.lowering.kind_name());
            assert_eq!(row["op"], f.lowering.op_name());
            assert_eq!(row["arity"]["min"], f.min_args);
            assert_eq!(row["arity"]["max"], f.max_args);
            assert_eq!(row["rule"], f.rule.name());
            assert_eq!(row["keywords"], serde_json::json!(f.keywords));
            assert_eq!(row["accuracy"], f.accuracy.name());
            assert_eq!(row["doc"], f.doc);
            assert_eq!(row["aliasOf"], serde_json::json!(f.alias_of));
        }
        let sum = rows.iter().find(|r| r["name"] == "sum").expect("sum");
        assert_eq!(
            sum.to_string(),
            r#"{"accuracy":"exact","aliasOf":null,"arity":{"max":2,"min":1},"doc":"sum of the elements, or along axis","keywords":["axis"],"kind":"reduce","name":"sum","op":"sum","rule":"accumulate"}"#
        );
    }
}
