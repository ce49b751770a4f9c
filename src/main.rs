use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = sfhook::cli::Cli::parse();
    ExitCode::from(sfhook::run(cli))
}
