
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'sfhook' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'sfhook'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'sfhook' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('configure', 'configure', [CompletionResultType]::ParameterValue, 'Save the endpoint URL, the signing secret and delivery settings')
            [CompletionResult]::new('activate', 'activate', [CompletionResultType]::ParameterValue, 'Switch deliveries on for the profile')
            [CompletionResult]::new('deactivate', 'deactivate', [CompletionResultType]::ParameterValue, 'Switch deliveries off for the profile')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the configuration, subscriptions, file paths and a log summary')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the event catalogue, or show an event''s sample payload or its JSON Schema')
            [CompletionResult]::new('subscribe', 'subscribe', [CompletionResultType]::ParameterValue, 'Subscribe to events (needs an active configuration)')
            [CompletionResult]::new('unsubscribe', 'unsubscribe', [CompletionResultType]::ParameterValue, 'Unsubscribe from events (needs an active configuration)')
            [CompletionResult]::new('mock', 'mock', [CompletionResultType]::ParameterValue, 'Sign and POST a sample event now and print the answer; not logged')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Deliver an event for real: signed, retried, every attempt logged')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Play a scenario of mocks, each step with its expectation; not logged')
            [CompletionResult]::new('redeliver', 'redeliver', [CompletionResultType]::ParameterValue, 'Re-send logged deliveries byte for byte, with fresh request ids')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'List deliveries; summarise, show or prune the delivery log')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the X-SF-Signature of a body (stdin by default)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an X-SF-Signature against a body: exit 0 if it matches, 1 if not')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Run a local receiver that verifies signatures and prints each delivery')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Find why deliveries fail: config, DNS, connection, TLS, a mock, the log')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole flow in a throwaway home against the built-in receiver')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print the help of sfhook or of a subcommand')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages into a directory')
            break
        }
        'sfhook;configure' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'The endpoint that receives deliveries: an absolute http(s) URL')
            [CompletionResult]::new('--secret-file', '--secret-file', [CompletionResultType]::ParameterName, 'Read the secret from a file (one trailing newline is dropped)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each delivery request: seconds or a unit (500ms, 10s, 2m) [default: 10s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'How many times ''send'' retries a failed delivery [default: 3]')
            [CompletionResult]::new('--backoff', '--backoff', [CompletionResultType]::ParameterName, 'Delay before the first retry; it doubles after each, with jitter [default: 1s]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--secret-stdin', '--secret-stdin', [CompletionResultType]::ParameterName, 'Read the secret from stdin (one trailing newline is dropped)')
            [CompletionResult]::new('--generate-secret', '--generate-secret', [CompletionResultType]::ParameterName, 'Generate a random 256-bit secret and print it, once')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;activate' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object: {profile, active, changed}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;deactivate' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object: {profile, active, changed}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;status' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;events' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Only events of this category')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Only events supported on this platform')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--subscribed', '--subscribed', [CompletionResultType]::ParameterName, 'Only events the profile is subscribed to')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the sample payload of an event, as ''mock'' sends it')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) of an event''s payload')
            break
        }
        'sfhook;events;show' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The sample device''s platform [default: the first that supports the event]')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Derive the sample''s event id and device from N, as ''mock --seed N'' does')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Date the sample at TIME (RFC 3339) instead of now, as ''mock --at'' does')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--compact', '--compact', [CompletionResultType]::ParameterName, 'Print exactly the bytes ''mock'' sends: one line of JSON, no trailing newline (one on a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;events;schema' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'One document with every event: a definition per event under $defs, and a oneOf of them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;subscribe' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Every event of a category')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every event in the catalogue')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object: {profile, changed, subscriptions}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;unsubscribe' {
            [CompletionResult]::new('--category', '--category', [CompletionResultType]::ParameterName, 'Every event of a category')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every event in the catalogue')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before unsubscribing from everything (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before unsubscribing from everything (required without a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the result as one JSON object: {profile, changed, subscriptions}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;mock' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The sample device''s platform [default: the first that supports the event]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Send this JSON document as the whole body instead of the sample (''-'': stdin); mock sends it byte for byte, send compacts it')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \. is a dot in a key; repeatable')
            [CompletionResult]::new('--unset', '--unset', [CompletionResultType]::ParameterName, 'Remove a key or an array element from the body, after every --set; repeatable')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Derive the sample''s event id and device from N: the same N, the same ids')
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'Date the sample at TIME (RFC 3339) instead of now')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Fire at this endpoint instead of the profile''s (also SFHOOK_URL)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Fire N mocks, each a distinct event and device (a mass enrollment) [default: 1, or as many as --duration allows]')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once during a burst')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each request, overriding the profile''s [default: 10s]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'The answers that pass: codes (406), classes (2xx, 4xx) or ''none'', comma-separated [default: 2xx; 4xx with --tamper]')
            [CompletionResult]::new('--tamper', '--tamper', [CompletionResultType]::ParameterName, 'Send a delivery a correct receiver must refuse: missing-signature, empty-signature, wrong-signature, modified-body')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'An extra request header, ''Name: value'' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'An extra request header, ''Name: value'' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'A burst for this long (30s, 2m) instead of a number of mocks')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Pace a burst at R requests per second (open model: latency counts from the intended send time)')
            [CompletionResult]::new('--max-p50', '--max-p50', [CompletionResultType]::ParameterName, 'Fail (exit 6) if the burst''s median latency of 2xx answers is above DURATION')
            [CompletionResult]::new('--max-p95', '--max-p95', [CompletionResultType]::ParameterName, 'Fail (exit 6) if the burst''s 95th percentile latency of 2xx answers is above DURATION')
            [CompletionResult]::new('--max-p99', '--max-p99', [CompletionResultType]::ParameterName, 'Fail (exit 6) if the burst''s 99th percentile latency of 2xx answers is above DURATION')
            [CompletionResult]::new('--min-success', '--min-success', [CompletionResultType]::ParameterName, 'Fail (exit 6) if fewer than PERCENT of the burst''s requests met --expect; then unmet ones alone do not fail it')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Write one JSON line per request of a burst to FILE: request_id, event_id, status, latency_ms, error')
            [CompletionResult]::new('--wait-for', '--wait-for', [CompletionResultType]::ParameterName, 'Before the first request, wait up to DURATION for the receiver to listen (then exit 4)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'A test report: junit:FILE (JUnit XML, one testcase per request) or tap (TAP on stdout, instead of the usual output)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'With --data: send the file''s bytes unchecked, even malformed JSON or not UTF-8')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a self-signed local endpoint); warns on every use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;send' {
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The sample device''s platform [default: the first that supports the event]')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Send this JSON document as the whole body instead of the sample (''-'': stdin); mock sends it byte for byte, send compacts it')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \. is a dot in a key; repeatable')
            [CompletionResult]::new('--unset', '--unset', [CompletionResultType]::ParameterName, 'Remove a key or an array element from the body, after every --set; repeatable')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each request, overriding the profile''s [default: 10s]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a self-signed local endpoint); warns on every use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print each attempt''s log record as one JSON line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;run' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'Send to this endpoint instead of the file''s url, SFHOOK_URL or the profile''s')
            [CompletionResult]::new('--wait-for', '--wait-for', [CompletionResultType]::ParameterName, 'Before the first step, wait up to DURATION for the receiver to listen (then exit 4)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'A test report: junit:FILE (one testcase per step) or tap (TAP on stdout, instead of the usual output)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each request, overriding the profile''s [default: 10s]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a self-signed local endpoint); warns on every use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object per step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;redeliver' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only deliveries at or before WHEN; a date includes that whole day')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer')
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'Only the delivery with this request id (or a unique prefix of it)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only this event (slug, wire name or display name); repeatable')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each request, overriding the profile''s [default: 10s]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Only failed deliveries')
            [CompletionResult]::new('--succeeded', '--succeeded', [CompletionResultType]::ParameterName, 'Only successful deliveries')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a self-signed local endpoint); warns on every use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print each new attempt''s log record as one JSON line')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;logs' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only deliveries at or before WHEN; a date includes that whole day')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer')
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'Only the delivery with this request id (or a unique prefix of it)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only this event (slug, wire name or display name); repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: table on a terminal, tsv elsewhere]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Only failed deliveries')
            [CompletionResult]::new('--succeeded', '--succeeded', [CompletionResultType]::ParameterName, 'Only successful deliveries')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing deliveries as they land, like tail -f')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing deliveries as they land, like tail -f')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the stored records, one JSON object per line (same as --format json)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('summary', 'summary', [CompletionResultType]::ParameterValue, 'Total, succeeded and failed deliveries, by response code and by event')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One delivery with its payload')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Drop deliveries older than a date, atomically')
            break
        }
        'sfhook;logs;summary' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only deliveries at or before WHEN; a date includes that whole day')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'Only these response codes: 500, 5xx, 404,500; ''none'' for no answer')
            [CompletionResult]::new('--request-id', '--request-id', [CompletionResultType]::ParameterName, 'Only the delivery with this request id (or a unique prefix of it)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Only this event (slug, wire name or display name); repeatable')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Only failed deliveries')
            [CompletionResult]::new('--succeeded', '--succeeded', [CompletionResultType]::ParameterName, 'Only successful deliveries')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;logs;show' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Print only the exact body bytes that were signed')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the stored record as it is')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;logs;prune' {
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Drop deliveries before WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30d)')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;sign' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {signature, bytes}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;verify' {
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The X-SF-Signature value: 64 hex digits')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {valid, bytes}; the exit code is the same')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;listen' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path that receives deliveries')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Forward each delivery with a valid signature to the app at URL (same body and headers); the sender gets the app''s status and body')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time the app has to answer a forwarded delivery: seconds or a unit (500ms, 10s, 2m) [default: 10s]')
            [CompletionResult]::new('--ready-file', '--ready-file', [CompletionResultType]::ParameterName, 'Once connections are accepted, write the listening URL (and a newline) to PATH')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Time a sender has to send a request''s headers, and again its body, before the connection is closed (a slow body gets 408): seconds or a unit [default: 10s]')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print each request as one JSON object per line (deliveries with their payload), after a first line {"listening": URL}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;doctor' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Look for failed deliveries in the log since WHEN: RFC 3339, a date or an age')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time allowed for each request, overriding the profile''s [default: 10s]')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Also trust the CA certificates in this PEM file')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept any TLS certificate (a self-signed local endpoint); warns on every use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object: {profile, url, ok, checks: [{check, status, detail, fix}]}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;demo' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;completions' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;help' {
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'sfhook;man' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write sfhook.1 and one page per subcommand into')
            [CompletionResult]::new('--home', '--home', [CompletionResultType]::ParameterName, 'Keep config.toml and deliveries.jsonl in DIR instead of the platform''s directories')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile to use [default: default]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
