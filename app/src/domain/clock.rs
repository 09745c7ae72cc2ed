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

#[cfg(test)]
mod tests {
    use super::*;

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
