# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sfhook_global_optspecs
    string join \n home= profile= color= h/help V/version
end

function __fish_sfhook_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sfhook_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sfhook_using_subcommand
    set -l cmd (__fish_sfhook_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sfhook -n "__fish_sfhook_needs_command" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_needs_command" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_needs_command" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_needs_command" -s V -l version -d 'Print version'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "configure" -d 'Save the endpoint URL, the signing secret and delivery settings'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "activate" -d 'Switch deliveries on for the profile'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "deactivate" -d 'Switch deliveries off for the profile'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "status" -d 'Show the configuration, subscriptions, file paths and a log summary'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "events" -d 'List the event catalogue, or show an event\'s sample payload or its JSON Schema'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "subscribe" -d 'Subscribe to events (needs an active configuration)'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "unsubscribe" -d 'Unsubscribe from events (needs an active configuration)'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "mock" -d 'Sign and POST a sample event now and print the answer; not logged'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "send" -d 'Deliver an event for real: signed, retried, every attempt logged'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "run" -d 'Play a scenario of mocks, each step with its expectation; not logged'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "redeliver" -d 'Re-send logged deliveries byte for byte, with fresh request ids'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "logs" -d 'List deliveries; summarise, show or prune the delivery log'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "sign" -d 'Print the X-SF-Signature of a body (stdin by default)'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "verify" -d 'Check an X-SF-Signature against a body: exit 0 if it matches, 1 if not'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "listen" -d 'Run a local receiver that verifies signatures and prints each delivery'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "doctor" -d 'Find why deliveries fail: config, DNS, connection, TLS, a mock, the log'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "demo" -d 'Run the whole flow in a throwaway home against the built-in receiver'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "help" -d 'Print the help of sfhook or of a subcommand'
complete -c sfhook -n "__fish_sfhook_needs_command" -f -a "man" -d 'Write the man pages into a directory'
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l url -d 'The endpoint that receives deliveries: an absolute http(s) URL' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l secret-file -d 'Read the secret from a file (one trailing newline is dropped)' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l timeout -d 'Time allowed for each delivery request: seconds or a unit (500ms, 10s, 2m) [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l retries -d 'How many times \'send\' retries a failed delivery [default: 3]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l backoff -d 'Delay before the first retry; it doubles after each, with jitter [default: 1s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l secret-stdin -d 'Read the secret from stdin (one trailing newline is dropped)'
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l generate-secret -d 'Generate a random 256-bit secret and print it, once'
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -l json -d 'Print the result as one JSON object'
complete -c sfhook -n "__fish_sfhook_using_subcommand configure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand activate" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand activate" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand activate" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand activate" -l json -d 'Print the result as one JSON object: {profile, active, changed}'
complete -c sfhook -n "__fish_sfhook_using_subcommand activate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand deactivate" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand deactivate" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand deactivate" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand deactivate" -l json -d 'Print the result as one JSON object: {profile, active, changed}'
complete -c sfhook -n "__fish_sfhook_using_subcommand deactivate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand status" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand status" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand status" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand status" -l json -d 'Print one JSON object'
complete -c sfhook -n "__fish_sfhook_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l category -d 'Only events of this category' -r -f -a "enrollment\t''
management\t''
device-update\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l platform -d 'Only events supported on this platform' -r -f -a "android\t''
ios\t''
macos\t''
windows\t''
linux\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l subscribed -d 'Only events the profile is subscribed to'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -l json -d 'Print a JSON array'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -f -a "show" -d 'Print the sample payload of an event, as \'mock\' sends it'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and not __fish_seen_subcommand_from show schema" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) of an event\'s payload'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l platform -d 'The sample device\'s platform [default: the first that supports the event]' -r -f -a "android\t''
ios\t''
macos\t''
windows\t''
linux\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l seed -d 'Derive the sample\'s event id and device from N, as \'mock --seed N\' does' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l at -d 'Date the sample at TIME (RFC 3339) instead of now, as \'mock --at\' does' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -l compact -d 'Print exactly the bytes \'mock\' sends: one line of JSON, no trailing newline (one on a terminal)'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from schema" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from schema" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from schema" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from schema" -l all -d 'One document with every event: a definition per event under $defs, and a oneOf of them'
complete -c sfhook -n "__fish_sfhook_using_subcommand events; and __fish_seen_subcommand_from schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l category -d 'Every event of a category' -r -f -a "enrollment\t''
management\t''
device-update\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l all -d 'Every event in the catalogue'
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -l json -d 'Print the result as one JSON object: {profile, changed, subscriptions}'
complete -c sfhook -n "__fish_sfhook_using_subcommand subscribe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l category -d 'Every event of a category' -r -f -a "enrollment\t''
management\t''
device-update\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l all -d 'Every event in the catalogue'
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -s y -l yes -d 'Do not ask before unsubscribing from everything (required without a terminal)'
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -l json -d 'Print the result as one JSON object: {profile, changed, subscriptions}'
complete -c sfhook -n "__fish_sfhook_using_subcommand unsubscribe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l platform -d 'The sample device\'s platform [default: the first that supports the event]' -r -f -a "android\t''
ios\t''
macos\t''
windows\t''
linux\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l data -d 'Send this JSON document as the whole body instead of the sample (\'-\': stdin); mock sends it byte for byte, send compacts it' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l set -d 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \\. is a dot in a key; repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l unset -d 'Remove a key or an array element from the body, after every --set; repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l seed -d 'Derive the sample\'s event id and device from N: the same N, the same ids' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l at -d 'Date the sample at TIME (RFC 3339) instead of now' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l url -d 'Fire at this endpoint instead of the profile\'s (also SFHOOK_URL)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l count -d 'Fire N mocks, each a distinct event and device (a mass enrollment) [default: 1, or as many as --duration allows]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l concurrency -d 'Requests in flight at once during a burst' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l timeout -d 'Time allowed for each request, overriding the profile\'s [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l expect -d 'The answers that pass: codes (406), classes (2xx, 4xx) or \'none\', comma-separated [default: 2xx; 4xx with --tamper]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l tamper -d 'Send a delivery a correct receiver must refuse: missing-signature, empty-signature, wrong-signature, modified-body' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -s H -l header -d 'An extra request header, \'Name: value\' (repeatable; not X-SF-*, Content-Type or the headers that frame the body)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l duration -d 'A burst for this long (30s, 2m) instead of a number of mocks' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l rate -d 'Pace a burst at R requests per second (open model: latency counts from the intended send time)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l max-p50 -d 'Fail (exit 6) if the burst\'s median latency of 2xx answers is above DURATION' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l max-p95 -d 'Fail (exit 6) if the burst\'s 95th percentile latency of 2xx answers is above DURATION' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l max-p99 -d 'Fail (exit 6) if the burst\'s 99th percentile latency of 2xx answers is above DURATION' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l min-success -d 'Fail (exit 6) if fewer than PERCENT of the burst\'s requests met --expect; then unmet ones alone do not fail it' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l requests -d 'Write one JSON line per request of a burst to FILE: request_id, event_id, status, latency_ms, error' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l wait-for -d 'Before the first request, wait up to DURATION for the receiver to listen (then exit 4)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l report -d 'A test report: junit:FILE (JUnit XML, one testcase per request) or tap (TAP on stdout, instead of the usual output)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l raw -d 'With --data: send the file\'s bytes unchecked, even malformed JSON or not UTF-8'
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l insecure -d 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -l json -d 'Print one JSON object'
complete -c sfhook -n "__fish_sfhook_using_subcommand mock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l platform -d 'The sample device\'s platform [default: the first that supports the event]' -r -f -a "android\t''
ios\t''
macos\t''
windows\t''
linux\t''"
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l data -d 'Send this JSON document as the whole body instead of the sample (\'-\': stdin); mock sends it byte for byte, send compacts it' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l set -d 'Edit the body: PATH=TEXT sets a string, PATH:=JSON any JSON value (data.devices.0.name=Kiosk, data.devices.0.locked:=true); an index one past the end appends, \\. is a dot in a key; repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l unset -d 'Remove a key or an array element from the body, after every --set; repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l timeout -d 'Time allowed for each request, overriding the profile\'s [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l insecure -d 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -l json -d 'Print each attempt\'s log record as one JSON line'
complete -c sfhook -n "__fish_sfhook_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l url -d 'Send to this endpoint instead of the file\'s url, SFHOOK_URL or the profile\'s' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l wait-for -d 'Before the first step, wait up to DURATION for the receiver to listen (then exit 4)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l report -d 'A test report: junit:FILE (one testcase per step) or tap (TAP on stdout, instead of the usual output)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l timeout -d 'Time allowed for each request, overriding the profile\'s [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l insecure -d 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -l json -d 'Print one JSON object per step'
complete -c sfhook -n "__fish_sfhook_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l since -d 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l until -d 'Only deliveries at or before WHEN; a date includes that whole day' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l code -d 'Only these response codes: 500, 5xx, 404,500; \'none\' for no answer' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l request-id -d 'Only the delivery with this request id (or a unique prefix of it)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l event -d 'Only this event (slug, wire name or display name); repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l timeout -d 'Time allowed for each request, overriding the profile\'s [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l failed -d 'Only failed deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l succeeded -d 'Only successful deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l insecure -d 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -l json -d 'Print each new attempt\'s log record as one JSON line'
complete -c sfhook -n "__fish_sfhook_using_subcommand redeliver" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l since -d 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l until -d 'Only deliveries at or before WHEN; a date includes that whole day' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l code -d 'Only these response codes: 500, 5xx, 404,500; \'none\' for no answer' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l request-id -d 'Only the delivery with this request id (or a unique prefix of it)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l event -d 'Only this event (slug, wire name or display name); repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -s n -l limit -d 'Only the newest N deliveries; 0 for all [default: 50 on a terminal, all elsewhere]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l format -d 'Output format [default: table on a terminal, tsv elsewhere]' -r -f -a "table\t'A table, as on a terminal'
tsv\t'One tab-separated line per delivery, as on a pipe'
json\t'The stored records, one JSON object per line'
csv\t'RFC 4180 CSV with a header row and every field of a record, for spreadsheets'"
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l failed -d 'Only failed deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l succeeded -d 'Only successful deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -s f -l follow -d 'Keep printing deliveries as they land, like tail -f'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -l json -d 'Print the stored records, one JSON object per line (same as --format json)'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -f -a "summary" -d 'Total, succeeded and failed deliveries, by response code and by event'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -f -a "show" -d 'One delivery with its payload'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and not __fish_seen_subcommand_from summary show prune" -f -a "prune" -d 'Drop deliveries older than a date, atomically'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l since -d 'Only deliveries at or after WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30m, 2h, 7d)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l until -d 'Only deliveries at or before WHEN; a date includes that whole day' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l code -d 'Only these response codes: 500, 5xx, 404,500; \'none\' for no answer' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l request-id -d 'Only the delivery with this request id (or a unique prefix of it)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l event -d 'Only this event (slug, wire name or display name); repeatable' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l failed -d 'Only failed deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l succeeded -d 'Only successful deliveries'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -l json -d 'Print one JSON object'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from summary" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -l raw -d 'Print only the exact body bytes that were signed'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -l json -d 'Print the stored record as it is'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -l before -d 'Drop deliveries before WHEN: RFC 3339, a date (YYYY-MM-DD, UTC) or an age (30d)' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c sfhook -n "__fish_sfhook_using_subcommand logs; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand sign" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand sign" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand sign" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand sign" -l json -d 'Print one JSON object: {signature, bytes}'
complete -c sfhook -n "__fish_sfhook_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -l signature -d 'The X-SF-Signature value: 64 hex digits' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -l json -d 'Print one JSON object: {valid, bytes}; the exit code is the same'
complete -c sfhook -n "__fish_sfhook_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l host -d 'Address to listen on' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l port -d 'Port to listen on; 0 picks a free one' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l path -d 'Path that receives deliveries' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l forward-to -d 'Forward each delivery with a valid signature to the app at URL (same body and headers); the sender gets the app\'s status and body' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l timeout -d 'Time the app has to answer a forwarded delivery: seconds or a unit (500ms, 10s, 2m) [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l ready-file -d 'Once connections are accepted, write the listening URL (and a newline) to PATH' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l read-timeout -d 'Time a sender has to send a request\'s headers, and again its body, before the connection is closed (a slow body gets 408): seconds or a unit [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -l json -d 'Print each request as one JSON object per line (deliveries with their payload), after a first line {"listening": URL}'
complete -c sfhook -n "__fish_sfhook_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l since -d 'Look for failed deliveries in the log since WHEN: RFC 3339, a date or an age' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l timeout -d 'Time allowed for each request, overriding the profile\'s [default: 10s]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l cacert -d 'Also trust the CA certificates in this PEM file' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l insecure -d 'Accept any TLS certificate (a self-signed local endpoint); warns on every use'
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -l json -d 'Print one JSON object: {profile, url, ok, checks: [{check, status, detail, fix}]}'
complete -c sfhook -n "__fish_sfhook_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand demo" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand demo" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand demo" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand completions" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand completions" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand completions" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand help" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand help" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand help" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sfhook -n "__fish_sfhook_using_subcommand man" -l out -d 'Directory to write sfhook.1 and one page per subcommand into' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand man" -l home -d 'Keep config.toml and deliveries.jsonl in DIR instead of the platform\'s directories' -r -F
complete -c sfhook -n "__fish_sfhook_using_subcommand man" -l profile -d 'The profile to use [default: default]' -r
complete -c sfhook -n "__fish_sfhook_using_subcommand man" -l color -d 'When to colour the output' -r -f -a "auto\t'Colour on a terminal that supports it, unless NO_COLOR is set or CLICOLOR=0'
always\t'Colour even on a pipe, whatever NO_COLOR says'
never\t'No colour anywhere'"
complete -c sfhook -n "__fish_sfhook_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
