//! A contract's ABI file: its methods, their argument types and what they return, so
//! `phalanx contract call|query --abi FILE --method NAME --arg VALUE…` encodes the input in the
//! SDK's encoding (`phalanx_contract::codec`) and decodes the output to JSON.
//!
//! ```json
//! { "calls":   [{ "name": "increment", "tag": 0, "args": ["u64"], "output": "u64" }],
//!   "queries": [{ "name": "count", "tag": 0, "args": [], "output": "u64" }] }
//! ```
//!
//! Types: `u8` `u16` `u32` `u64` `u128` `i64` `bool` `string` `bytes` (hex), `bytesN` (exactly
//! N bytes, hex, e.g. `bytes32` for an account),
//! `option<T>`, `vec<T>`, tuples `(A, B, …)`, and `()` for nothing.

use serde::Deserialize;
use serde_json::Value;

/// Largest ABI file read.
const MAX_ABI_BYTES: u64 = 64 * 1024;
/// Deepest type nesting accepted.
const MAX_DEPTH: usize = 8;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Abi {
    #[serde(default)]
    pub calls: Vec<Method>,
    #[serde(default)]
    pub queries: Vec<Method>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Method {
    pub name: String,
    pub tag: u8,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default = "unit")]
    pub output: String,
}

fn unit() -> String {
    "()".into()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    U8,
    U16,
    U32,
    U64,
    U128,
    I64,
    Bool,
    Str,
    Bytes,
    /// `bytesN`: exactly N bytes, no length (1 ≤ N ≤ 64).
    Fixed(usize),
    Option(Box<Ty>),
    Vec(Box<Ty>),
    Tuple(Vec<Ty>),
}

/// Parses a type (see the module documentation).
pub fn parse_type(text: &str) -> Result<Ty, String> {
    let mut rest = text.trim();
    let ty = parse_inner(&mut rest, 0)?;
    if !rest.trim().is_empty() {
        return Err(format!("unexpected `{rest}` after the type in `{text}`"));
    }
    Ok(ty)
}

fn parse_inner(rest: &mut &str, depth: usize) -> Result<Ty, String> {
    if depth > MAX_DEPTH {
        return Err("type nested too deeply".into());
    }
    *rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('(') {
        *rest = after;
        let mut items = Vec::new();
        loop {
            *rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(')') {
                *rest = after;
                return Ok(Ty::Tuple(items));
            }
            items.push(parse_inner(rest, depth + 1)?);
            *rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(',') {
                *rest = after;
            } else if !rest.starts_with(')') {
                return Err("expected `,` or `)` in a tuple type".into());
            }
        }
    }
    for (prefix, wrap) in [("option<", 0), ("vec<", 1)] {
        if let Some(after) = rest.strip_prefix(prefix) {
            *rest = after;
            let inner = parse_inner(rest, depth + 1)?;
            *rest = rest.trim_start();
            *rest = rest
                .strip_prefix('>')
                .ok_or_else(|| format!("expected `>` to close `{prefix}`"))?;
            return Ok(if wrap == 0 {
                Ty::Option(Box::new(inner))
            } else {
                Ty::Vec(Box::new(inner))
            });
        }
    }
    let end = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    let (word, after) = rest.split_at(end);
    let ty = match word {
        "u8" => Ty::U8,
        "u16" => Ty::U16,
        "u32" => Ty::U32,
        "u64" => Ty::U64,
        "u128" => Ty::U128,
        "i64" => Ty::I64,
        "bool" => Ty::Bool,
        "string" => Ty::Str,
        "bytes" => Ty::Bytes,
        other => match other
            .strip_prefix("bytes")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) if (1..=64).contains(&n) => Ty::Fixed(n),
            _ => return Err(format!("unknown type `{other}`")),
        },
    };
    *rest = after;
    Ok(ty)
}

fn count(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// Encodes `value` (JSON: numbers as numbers or decimal strings, bytes as hex strings, an
/// option as `null` or its value, a tuple or vec as an array) as `ty`.
pub fn encode(ty: &Ty, value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    let number = |v: &Value| -> Result<u128, String> {
        match v {
            Value::Number(n) => n
                .as_u64()
                .map(u128::from)
                .ok_or(format!("{n} is not a whole number")),
            Value::String(s) => s
                .parse::<u128>()
                .map_err(|_| format!("`{s}` is not a whole number")),
            other => Err(format!("expected a number, got {other}")),
        }
    };
    let fits = |n: u128, max: u128, name: &str| {
        if n > max {
            Err(format!("{n} does not fit {name}"))
        } else {
            Ok(n)
        }
    };
    let hex_of = |v: &Value| -> Result<Vec<u8>, String> {
        let s = v.as_str().ok_or(format!("expected hex, got {v}"))?;
        hex::decode(s.strip_prefix("0x").unwrap_or(s)).map_err(|e| format!("`{s}`: {e}"))
    };
    match ty {
        Ty::U8 => out.push(fits(number(value)?, u8::MAX.into(), "u8")? as u8),
        Ty::U16 => out.extend((fits(number(value)?, u16::MAX.into(), "u16")? as u16).to_le_bytes()),
        Ty::U32 => out.extend((fits(number(value)?, u32::MAX.into(), "u32")? as u32).to_le_bytes()),
        Ty::U64 => out.extend((fits(number(value)?, u64::MAX.into(), "u64")? as u64).to_le_bytes()),
        Ty::U128 => out.extend(number(value)?.to_le_bytes()),
        Ty::I64 => {
            let n = match value {
                Value::Number(n) => n.as_i64().ok_or(format!("{n} is not an i64"))?,
                Value::String(s) => s
                    .parse::<i64>()
                    .map_err(|_| format!("`{s}` is not an i64"))?,
                other => return Err(format!("expected a number, got {other}")),
            };
            out.extend(n.to_le_bytes());
        }
        Ty::Bool => out.push(u8::from(
            value
                .as_bool()
                .ok_or(format!("expected true or false, got {value}"))?,
        )),
        Ty::Str => {
            let s = value
                .as_str()
                .ok_or(format!("expected a string, got {value}"))?;
            count(out, s.len());
            out.extend_from_slice(s.as_bytes());
        }
        Ty::Bytes => {
            let b = hex_of(value)?;
            count(out, b.len());
            out.extend(b);
        }
        Ty::Fixed(n) => {
            let b = hex_of(value)?;
            if b.len() != *n {
                return Err(format!("expected {n} bytes, got {}", b.len()));
            }
            out.extend(b);
        }
        Ty::Option(inner) => {
            if value.is_null() {
                out.push(0);
            } else {
                out.push(1);
                encode(inner, value, out)?;
            }
        }
        Ty::Vec(inner) => {
            let items = value
                .as_array()
                .ok_or(format!("expected an array, got {value}"))?;
            count(out, items.len());
            for item in items {
                encode(inner, item, out)?;
            }
        }
        Ty::Tuple(types) => {
            let items = value
                .as_array()
                .ok_or(format!("expected an array, got {value}"))?;
            if items.len() != types.len() {
                return Err(format!(
                    "expected {} items, got {}",
                    types.len(),
                    items.len()
                ));
            }
            for (t, item) in types.iter().zip(items) {
                encode(t, item, out)?;
            }
        }
    }
    Ok(())
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if n > bytes.len() {
        return Err("the output ended before its type did".into());
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Ok(head)
}

fn take_count(bytes: &mut &[u8]) -> Result<usize, String> {
    let mut le = [0u8; 4];
    le.copy_from_slice(take(bytes, 4)?);
    let n = u32::from_le_bytes(le) as usize;
    if n > bytes.len() {
        return Err("a count larger than the output".into());
    }
    Ok(n)
}

/// Decodes `bytes` as `ty` into JSON (numbers above 2^53 as decimal strings, bytes as hex).
pub fn decode(ty: &Ty, bytes: &mut &[u8]) -> Result<Value, String> {
    fn int<const N: usize>(bytes: &mut &[u8]) -> Result<[u8; N], String> {
        let mut a = [0u8; N];
        a.copy_from_slice(take(bytes, N)?);
        Ok(a)
    }
    let big = |n: u128| {
        if n <= (1u128 << 53) {
            Value::from(n as u64)
        } else {
            Value::String(n.to_string())
        }
    };
    Ok(match ty {
        Ty::U8 => Value::from(int::<1>(bytes)?[0]),
        Ty::U16 => Value::from(u16::from_le_bytes(int(bytes)?)),
        Ty::U32 => Value::from(u32::from_le_bytes(int(bytes)?)),
        Ty::U64 => big(u64::from_le_bytes(int(bytes)?).into()),
        Ty::U128 => big(u128::from_le_bytes(int(bytes)?)),
        Ty::I64 => Value::String(i64::from_le_bytes(int(bytes)?).to_string()),
        Ty::Bool => match int::<1>(bytes)?[0] {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            t => return Err(format!("a bool of {t}")),
        },
        Ty::Str => {
            let n = take_count(bytes)?;
            Value::String(String::from_utf8_lossy(take(bytes, n)?).into_owned())
        }
        Ty::Bytes => {
            let n = take_count(bytes)?;
            Value::String(hex::encode(take(bytes, n)?))
        }
        Ty::Fixed(n) => Value::String(hex::encode(take(bytes, *n)?)),
        Ty::Option(inner) => match int::<1>(bytes)?[0] {
            0 => Value::Null,
            1 => decode(inner, bytes)?,
            t => return Err(format!("an option tag of {t}")),
        },
        Ty::Vec(inner) => {
            let n = take_count(bytes)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode(inner, bytes)?);
            }
            Value::Array(items)
        }
        Ty::Tuple(types) if types.is_empty() => Value::Null,
        Ty::Tuple(types) => Value::Array(
            types
                .iter()
                .map(|t| decode(t, bytes))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Reads an ABI file.
pub fn read(path: &std::path::Path) -> Result<Abi, String> {
    let text = crate::files::read_limited_text(path, MAX_ABI_BYTES, "ABI file")?;
    serde_json::from_str(&text).map_err(|e| format!("ABI file {}: {e}", path.display()))
}

/// The input of `method` (a command's when `call`, else a query's) with `args`, each a JSON
/// value or, failing that, a bare string; and the output's type.
pub fn input(
    abi: &Abi,
    call: bool,
    method: &str,
    args: &[String],
) -> Result<(Vec<u8>, Ty), String> {
    let methods = if call { &abi.calls } else { &abi.queries };
    let m = methods.iter().find(|m| m.name == method).ok_or_else(|| {
        let names: Vec<&str> = methods.iter().map(|m| m.name.as_str()).collect();
        format!(
            "no {} `{method}` in the ABI (it has: {})",
            if call { "command" } else { "query" },
            names.join(", ")
        )
    })?;
    if m.args.len() != args.len() {
        return Err(format!(
            "`{method}` takes {} argument(s) ({}), {} given",
            m.args.len(),
            m.args.join(", "),
            args.len()
        ));
    }
    let mut out = vec![m.tag];
    for (ty, arg) in m.args.iter().zip(args) {
        let ty = parse_type(ty)?;
        let value = serde_json::from_str(arg).unwrap_or_else(|_| Value::String(arg.clone()));
        encode(&ty, &value, &mut out).map_err(|e| format!("argument `{arg}`: {e}"))?;
    }
    Ok((out, parse_type(&m.output)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_parse_encode_and_decode() -> Result<(), String> {
        let ty = parse_type("(u8, u64, option<(bytes32, u64)>)")?;
        let value = serde_json::json!([2, 20, ["ab".repeat(32), 500]]);
        let mut bytes = Vec::new();
        encode(&ty, &value, &mut bytes)?;
        assert_eq!(bytes.len(), 1 + 8 + 1 + 32 + 8);
        assert_eq!(decode(&ty, &mut bytes.as_slice())?, value);
        assert_eq!(
            parse_type("option<u8").err(),
            Some("expected `>` to close `option<`".into())
        );
        assert!(parse_type("float").is_err());
        assert!(parse_type(&"option<".repeat(20)).is_err());
        let mut out = Vec::new();
        assert!(encode(&Ty::U8, &serde_json::json!(256), &mut out).is_err());
        assert!(decode(&Ty::Str, &mut [9u8, 0, 0, 0, 1].as_slice()).is_err());
        Ok(())
    }

    #[test]
    fn the_examples_abis_read() -> Result<(), String> {
        for name in ["counter", "auction", "signer"] {
            let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../contracts")
                .join(name)
                .join("abi.json");
            let abi = read(&path)?;
            for m in abi.calls.iter().chain(&abi.queries) {
                for t in m.args.iter().chain(std::iter::once(&m.output)) {
                    parse_type(t).map_err(|e| format!("{name}.{}: {e}", m.name))?;
                }
            }
        }
        let abi = read(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../contracts/counter/abi.json"),
        )?;
        let (input, out) = input(&abi, true, "put", &["diary".into(), "\"6869\"".into()])?;
        assert_eq!(
            input,
            [
                1, 5, 0, 0, 0, b'd', b'i', b'a', b'r', b'y', 2, 0, 0, 0, b'h', b'i'
            ]
        );
        assert_eq!(out, Ty::Tuple(vec![]));
        Ok(())
    }
}
