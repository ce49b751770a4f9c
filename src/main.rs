use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = sfhook::cli::Cli::parse_args();
    ExitCode::from(sfhook::run(cli))
}
