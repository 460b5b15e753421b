# Japanese, as Japanese news sites write them: "2026年1月19日"; "2026年1月19日 14:05 JST";
# a comment's "1月19日 14:05 JST" (24-hour clock, no leading zero on month or day).
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i T"
SHORT_DATETIME_FORMAT = "n月j日 H:i T"
