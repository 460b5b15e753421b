"""Site infrastructure that the apps, the pages and the API share: the Redis clients, what counts
as an outage, and the rate limits with their counters and their 429 page. Below every app and the
API toolkit; it imports none of them."""
