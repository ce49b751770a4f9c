
use builtin;
use str;

set edit:completion:arg-completer[sfhook] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'sfhook'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'sfhook'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand configure 'Save the endpoint URL, the signing secret and delivery settings'
            cand activate 'Switch deliveries on for the profile'
            cand deactivate 'Switch deliveries off for the profile'
            cand status 'Show the configuration, subscriptions, file paths and a log summary'
            cand events 'List the event catalogue, or show an event''s sample payload or its JSON Schema'
            cand subscribe 'Subscribe to events (needs an active configuration)'
            cand unsubscribe 'Unsubscribe from events (needs an active configuration)'
            cand mock 'Sign and POST a sample event now and print the answer; not logged'
            cand send 'Deliver an event for real: signed, retried, every attempt logged'
            cand run 'Play a scenario of mocks, each step with its expectation; not logged'
            cand redeliver 'Re-send logged deliveries byte for byte, with fresh request ids'
            cand logs 'List deliveries; summarise, show or prune the delivery log'
            cand sign 'Print the X-SF-Signature of a body (stdin by default)'
            cand verify 'Check an X-SF-Signature against a body: exit 0 if it matches, 1 if not'
            cand listen 'Run a local receiver that verifies signatures and prints each delivery'
            cand doctor 'Find why deliveries fail: config, DNS, connection, TLS, a mock, the log'
            cand demo 'Run the whole flow in a throwaway home against the built-in receiver'
            cand completions 'Print shell completions'
            cand help 'Print the help of sfhook or of a subcommand'
            cand man 'Write the man pages into a directory'
        }
        &'sfhook;configure'= {
            cand --url 'The endpoint that receives deliveries: an absolute http(s) URL'
            cand --secret-file 'Read the secret from a file (one trailing newline is dropped)'
            cand --timeout 'Time allowed for each delivery request: seconds or a unit (500ms, 10s, 2m) [default: 10s]'
            cand --retries 'How many times ''send'' retries a failed delivery [default: 3]'
            cand --backoff 'Delay before the first retry; it doubles after each, with jitter [default: 1s]'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --secret-stdin 'Read the secret from stdin (one trailing newline is dropped)'
            cand --generate-secret 'Generate a random 256-bit secret and print it, once'
            cand --json 'Print the result as one JSON object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;activate'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print the result as one JSON object: {profile, active, changed}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;deactivate'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print the result as one JSON object: {profile, active, changed}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;status'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print one JSON object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;events'= {
            cand --category 'Only events of this category'
            cand --platform 'Only events supported on this platform'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --subscribed 'Only events the profile is subscribed to'
            cand --json 'Print a JSON array'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand show 'Print the sample payload of an event, as ''mock'' sends it'
            cand schema 'Print the JSON Schema (draft 2020-12) of an event''s payload'
        }
        &'sfhook;events;show'= {
            cand --platform 'The sample device''s platform [default: the first that supports the event]'
            cand --seed 'Derive the sample''s event id and device from N, as ''mock --seed N'' does'
            cand --at 'Date the sample at TIME (RFC 3339) instead of now, as ''mock --at'' does'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --compact 'Print exactly the bytes ''mock'' sends: one line of JSON, no trailing newline (one on a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;events;schema'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --all 'One document with every event: a definition per event under $defs, and a oneOf of them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;subscribe'= {
            cand --category 'Every event of a category'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --all 'Every event in the catalogue'
            cand --json 'Print the result as one JSON object: {profile, changed, subscriptions}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;unsubscribe'= {
            cand --category 'Every event of a category'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --all 'Every event in the catalogue'
            cand -y 'Do not ask before unsubscribing from everything (required without a terminal)'
            cand --yes 'Do not ask before unsubscribing from everything (required without a terminal)'
            cand --json 'Print the result as one JSON object: {profile, changed, subscriptions}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;mock'= {
            cand --platform 'The sample device''s platform [default: the first that supports the event]'
            cand --data 'Send this JSON document as the whole body instead of the sample (''-'': stdin); mock sends it byte for byte, send compacts it'
            cand --set 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \. is a dot in a key; repeatable'
            cand --unset 'Remove a key or an array element from the body, after every --set; repeatable'
            cand --seed 'Derive the sample''s event id and device from N: the same N, the same ids'
            cand --at 'Date the sample at TIME (RFC 3339) instead of now'
            cand --url 'Fire at this endpoint instead of the profile''s (also SFHOOK_URL)'
            cand --count 'Fire N mocks, each a distinct event and device (a mass enrollment) [default: 1, or as many as --duration allows]'
            cand --concurrency 'Requests in flight at once during a burst'
            cand --timeout 'Time allowed for each request, overriding the profile''s [default: 10s]'
            cand --cacert 'Also trust the CA certificates in this PEM file'
            cand --expect 'The answers that pass: codes (406), classes (2xx, 4xx) or ''none'', comma-separated [default: 2xx; 4xx with --tamper]'
            cand --tamper 'Send a delivery a correct receiver must refuse: missing-signature, empty-signature, wrong-signature, modified-body'
            cand -H 'An extra request header, ''Name: value'' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)'
            cand --header 'An extra request header, ''Name: value'' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)'
            cand --duration 'A burst for this long (30s, 2m) instead of a number of mocks'
            cand --rate 'Pace a burst at R requests per second (open model: latency counts from the intended send time)'
            cand --max-p50 'Fail (exit 6) if the burst''s median latency of 2xx answers is above DURATION'
            cand --max-p95 'Fail (exit 6) if the burst''s 95th percentile latency of 2xx answers is above DURATION'
            cand --max-p99 'Fail (exit 6) if the burst''s 99th percentile latency of 2xx answers is above DURATION'
            cand --min-success 'Fail (exit 6) if fewer than PERCENT of the burst''s requests met --expect; then unmet ones alone do not fail it'
            cand --requests 'Write one JSON line per request of a burst to FILE: request_id, event_id, status, latency_ms, error'
            cand --wait-for 'Before the first request, wait up to DURATION for the receiver to listen (then exit 4)'
            cand --report 'A test report: junit:FILE (JUnit XML, one testcase per request) or tap (TAP on stdout, instead of the usual output)'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --raw 'With --data: send the file''s bytes unchecked, even malformed JSON or not UTF-8'
            cand --insecure 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
            cand --json 'Print one JSON object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;send'= {
            cand --platform 'The sample device''s platform [default: the first that supports the event]'
            cand --data 'Send this JSON document as the whole body instead of the sample (''-'': stdin); mock sends it byte for byte, send compacts it'
            cand --set 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \. is a dot in a key; repeatable'
            cand --unset 'Remove a key or an array element from the body, after every --set; repeatable'
            cand --timeout 'Time allowed for each request, overriding the profile''s [default: 10s]'
            cand --cacert 'Also trust the CA certificates in this PEM file'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --insecure 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
            cand --json 'Print each attempt''s log record as one JSON line'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;run'= {
            cand --url 'Send to this endpoint instead of the file''s url, SFHOOK_URL or the profile''s'
            cand --wait-for 'Before the first step, wait up to DURATION for the receiver to listen (then exit 4)'
            cand --report 'A test report: junit:FILE (one testcase per step) or tap (TAP on stdout, instead of the usual output)'
            cand --timeout 'Time allowed for each request, overriding the profile''s [default: 10s]'
            cand --cacert 'Also trust the CA certificates in this PEM file'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --insecure 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
            cand --json 'Print one JSON object per step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;redeliver'= {
            cand --since 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)'
            cand --until 'Only deliveries at or before WHEN; a date includes that whole day'
            cand --code 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer'
            cand --request-id 'Only the delivery with this request id (or a unique prefix of it)'
            cand --event 'Only this event (slug, wire name or display name); repeatable'
            cand --timeout 'Time allowed for each request, overriding the profile''s [default: 10s]'
            cand --cacert 'Also trust the CA certificates in this PEM file'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --failed 'Only failed deliveries'
            cand --succeeded 'Only successful deliveries'
            cand --insecure 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
            cand --json 'Print each new attempt''s log record as one JSON line'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;logs'= {
            cand --since 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)'
            cand --until 'Only deliveries at or before WHEN; a date includes that whole day'
            cand --code 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer'
            cand --request-id 'Only the delivery with this request id (or a unique prefix of it)'
            cand --event 'Only this event (slug, wire name or display name); repeatable'
            cand -n 'Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]'
            cand --limit 'Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]'
            cand --format 'Output format [default: table on a terminal, tsv elsewhere]'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --failed 'Only failed deliveries'
            cand --succeeded 'Only successful deliveries'
            cand -f 'Keep printing deliveries as they land, like tail -f'
            cand --follow 'Keep printing deliveries as they land, like tail -f'
            cand --json 'Print the stored records, one JSON object per line (same as --format json)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand summary 'Total, succeeded and failed deliveries, by response code and by event'
            cand show 'One delivery with its payload'
            cand prune 'Drop deliveries older than a date, atomically'
        }
        &'sfhook;logs;summary'= {
            cand --since 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)'
            cand --until 'Only deliveries at or before WHEN; a date includes that whole day'
            cand --code 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer'
            cand --request-id 'Only the delivery with this request id (or a unique prefix of it)'
            cand --event 'Only this event (slug, wire name or display name); repeatable'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --failed 'Only failed deliveries'
            cand --succeeded 'Only successful deliveries'
            cand --json 'Print one JSON object'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;logs;show'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --raw 'Print only the exact body bytes that were signed'
            cand --json 'Print the stored record as it is'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;logs;prune'= {
            cand --before 'Drop deliveries before WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30d)'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;sign'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print one JSON object: {signature, bytes}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;verify'= {
            cand --signature 'The X-SF-Signature value: 64 hex digits'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print one JSON object: {valid, bytes}; the exit code is the same'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;listen'= {
            cand --host 'Address to listen on'
            cand --port 'Port to listen on; 0 picks a free one'
            cand --path 'Path that receives deliveries'
            cand --forward-to 'Forward each delivery with a valid signature to the app at URL (same body and headers); the sender gets the app''s status and body'
            cand --timeout 'Time the app has to answer a forwarded delivery: seconds or a unit (500ms, 10s, 2m) [default: 10s]'
            cand --ready-file 'Once connections are accepted, write the listening URL (and a newline) to PATH'
            cand --read-timeout 'Time a sender has to send a request''s headers, and again its body, before the connection is closed (a slow body gets 408): seconds or a unit [default: 10s]'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --json 'Print each request as one JSON object per line (deliveries with their payload), after a first line {"listening": URL}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;doctor'= {
            cand --since 'Look for failed deliveries in the log since WHEN: RFC 3339, a date or an age'
            cand --timeout 'Time allowed for each request, overriding the profile''s [default: 10s]'
            cand --cacert 'Also trust the CA certificates in this PEM file'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand --insecure 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
            cand --json 'Print one JSON object: {profile, url, ok, checks: [{check, status, detail, fix}]}'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;demo'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;completions'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;help'= {
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'sfhook;man'= {
            cand --out 'Directory to write sfhook.1 and one page per subcommand into'
            cand --home 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories'
            cand --profile 'The profile to use [default: default]'
            cand --color 'When to colour the output'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
