//! Wall-clock formatting for the offices' time zone.
//!
//! China has one zone without daylight saving, so a fixed offset is exact; it is a
//! parameter so an office elsewhere can configure its own.

use time::{OffsetDateTime, UtcOffset};

/// Asia/Shanghai, UTC+8.
pub const CHINA_OFFSET_SECONDS: i32 = 8 * 3600;

fn local(ms: i64, offset_seconds: i32) -> Option<OffsetDateTime> {
    let offset = UtcOffset::from_whole_seconds(offset_seconds).ok()?;
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(utc.to_offset(offset))
}

/// "2026年12月3日 09:30" — the form written on notices and minutes.
pub fn format_zh(ms: i64, offset_seconds: i32) -> String {
    match local(ms, offset_seconds) {
        Some(t) => format!(
            "{}年{}月{}日 {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        None => String::from("—"),
    }
}

/// "2026-12-03 09:30" — the English UI's form.
pub fn format_iso(ms: i64, offset_seconds: i32) -> String {
    match local(ms, offset_seconds) {
        Some(t) => format!(
            "{}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        None => String::from("—"),
    }
}

/// "09:30:05" for record lines.
pub fn format_time_of_day(ms: i64, offset_seconds: i32) -> String {
    match local(ms, offset_seconds) {
        Some(t) => format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second()),
        None => String::from("—"),
    }
}

/// The first millisecond of the local day "YYYY-MM-DD"; `None` when it is not a date.
pub fn day_start_ms(date: &str, offset_seconds: i32) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let offset = UtcOffset::from_whole_seconds(offset_seconds).ok()?;
    let start = date.midnight().assume_offset(offset);
    i64::try_from(start.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_start_is_local_midnight() {
        let ms = day_start_ms("2026-12-03", CHINA_OFFSET_SECONDS);
        assert_eq!(
            ms.map(|m| format_iso(m, CHINA_OFFSET_SECONDS)),
            Some("2026-12-03 00:00".into())
        );
        assert_eq!(day_start_ms("2026-13-03", CHINA_OFFSET_SECONDS), None);
        assert_eq!(day_start_ms("2026-02-30", CHINA_OFFSET_SECONDS), None);
        assert_eq!(day_start_ms("昨天", CHINA_OFFSET_SECONDS), None);
    }

    #[test]
    fn formats_in_china_time() {
        // 2026-12-03T01:30:00Z is 09:30 in Beijing.
        let ms = 1_796_261_400_000;
        assert_eq!(format_zh(ms, CHINA_OFFSET_SECONDS), "2026年12月3日 09:30");
        assert_eq!(format_iso(ms, CHINA_OFFSET_SECONDS), "2026-12-03 09:30");
        assert_eq!(
            format_time_of_day(ms + 5_000, CHINA_OFFSET_SECONDS),
            "09:30:05"
        );
        assert_eq!(format_zh(ms, 0), "2026年12月3日 01:30");
    }
}
