//! config.toml parsing: any text either parses into a configuration that
//! renders and parses back to the same thing, or is an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sfhook::core::config::Config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(config) = toml::from_str::<Config>(text) else { return };
    let rendered = toml::to_string(&config).expect("a parsed config renders");
    let again: Config = toml::from_str(&rendered).expect("a rendered config parses");
    assert_eq!(toml::to_string(&again).unwrap(), rendered);
});
