# English: "January 19, 2026"; "Jan. 19, 2026, 14:05 JST"; a comment's "Jan 19, 14:05 JST".
DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "N j, Y, H:i T"
SHORT_DATETIME_FORMAT = "M j, H:i T"
