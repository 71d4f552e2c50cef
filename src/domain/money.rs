//! Exact money: integer micro-dollars, never a float.

use std::fmt;
use std::str::FromStr;

use super::ParseError;

/// Hours in a billing month, as the providers' calculators count them.
pub const HOURS_PER_MONTH: i64 = 730;

/// An amount of US dollars, stored as an exact count of micro-dollars (1e-6 USD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// From a count of micro-dollars.
    pub const fn from_micros(micros: i64) -> Money {
        Money(micros)
    }

    /// From whole dollars.
    pub const fn from_dollars(dollars: i64) -> Money {
        Money(dollars * 1_000_000)
    }

    /// Whether it is nothing.
    pub const fn is_zero(&self) -> bool {
        self.0 == 0
    }

    /// The exact count of micro-dollars.
    pub const fn micros(self) -> i64 {
        self.0
    }

    /// `self * n`, or `None` on overflow.
    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The monthly cost of an hourly rate (730 hours).
    pub fn monthly_from_hourly(self) -> Money {
        Money(self.0.saturating_mul(HOURS_PER_MONTH))
    }

    /// A total as people read money, to the cent: `$172.16`, `$0.00` (a monthly cost, a budget, a
    /// spend). Rounded half away from zero; the exact figure stays in the micro-dollars.
    pub fn cents(self) -> String {
        let cents = (i128::from(self.0) + if self.0 < 0 { -5_000 } else { 5_000 }) / 10_000;
        let sign = if cents < 0 { "-" } else { "" };
        let abs = cents.unsigned_abs();
        format!("{sign}${}.{:02}", abs / 100, abs % 100)
    }

    /// A unit price (an hourly rate) at the catalogue's precision: four decimals, more only when
    /// the exact amount has them (`$0.0168`, `$0.0600`, `$0.00274`). Never rounded.
    pub fn rate(self) -> String {
        self.format(4)
    }

    /// Formats with at least `min_decimals` decimals and no trailing zeros beyond them.
    pub fn format(self, min_decimals: usize) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / 1_000_000;
        let frac = format!("{:06}", abs % 1_000_000);
        let trimmed = frac.trim_end_matches('0');
        let decimals = if trimmed.len() < min_decimals { &frac[..min_decimals] } else { trimmed };
        if decimals.is_empty() { format!("{sign}${whole}") } else { format!("{sign}${whole}.{decimals}") }
    }
}

/// Shown as a total, to the cent ([`Money::cents`]); unit prices are shown with [`Money::rate`].
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cents())
    }
}

impl FromStr for Money {
    type Err = ParseError;

    /// Parses `12`, `0.0168`, `$3000.50`; at most six decimals, no exponent, no sign tricks.
    fn from_str(s: &str) -> Result<Money, ParseError> {
        let err = || ParseError::new("amount", s, "a dollar amount such as 0.50 or 3000 (at most 6 decimals)");
        let t = s.trim();
        let t = t.strip_prefix('$').unwrap_or(t);
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 6
            || whole.len() > 12
        {
            return Err(err());
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| err())? };
        let frac_micros: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().map_err(|_| err())? };
        let micros = whole * 1_000_000 + frac_micros;
        Ok(Money(if neg { -micros } else { micros }))
    }
}

/// JSON money is one type everywhere: the exact amount of US dollars as a decimal string with at
/// least two decimals (`"0.0168"`, `"12.264"`, `"3000.00"`), never a float, never micro-dollars.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format(2).replacen('$', "", 1))
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
        }
        match Raw::deserialize(d)? {
            Raw::Text(s) => s.parse().map_err(serde::de::Error::custom),
            Raw::Int(n) => {
                n.checked_mul(1_000_000).map(Money).ok_or_else(|| serde::de::Error::custom("amount too large"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_exactly() {
        assert_eq!("0.0168".parse::<Money>().unwrap().micros(), 16_800);
        assert_eq!("$3000".parse::<Money>().unwrap(), Money::from_dollars(3000));
        assert_eq!(Money::from_micros(16_800).format(2), "$0.0168");
        assert_eq!(Money::from_micros(500_000).to_string(), "$0.50");
        assert_eq!(Money::from_micros(16_800).monthly_from_hourly().to_string(), "$12.26");
        for bad in ["", "abc", "1e3", "0.1234567", "1.2.3", "$", "--1"] {
            assert!(bad.parse::<Money>().is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn totals_show_cents_and_rates_the_catalogue_precision() {
        assert_eq!(Money::from_micros(172_163_200).cents(), "$172.16");
        assert_eq!(Money::from_micros(12_265_000).cents(), "$12.27", "half a cent rounds up");
        assert_eq!(Money::from_micros(-12_265_000).cents(), "-$12.27", "and away from zero below it");
        assert_eq!(Money::ZERO.cents(), "$0.00");
        assert_eq!(Money::from_dollars(5000).cents(), "$5000.00");
        assert_eq!(Money::from_micros(16_800).rate(), "$0.0168");
        assert_eq!(Money::from_micros(60_000).rate(), "$0.0600");
        assert_eq!(Money::from_micros(2_740).rate(), "$0.00274", "never rounded away");
        assert_eq!(Money::from_micros(2_000_200).rate(), "$2.0002");
    }

    #[test]
    fn serde_round_trips() {
        let m: Money = serde_json::from_str("\"0.0168\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"0.0168\"");
        let whole: Money = serde_json::from_str("3000").unwrap();
        assert_eq!(whole, Money::from_dollars(3000));
        assert_eq!(serde_json::to_string(&whole).unwrap(), "\"3000.00\"");
        assert_eq!(serde_json::to_string(&Money::ZERO).unwrap(), "\"0.00\"");
    }
}
