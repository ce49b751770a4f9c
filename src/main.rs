use std::process::ExitCode;

fn main() -> ExitCode {
    sfhook::complete_if_asked();
    let cli = sfhook::cli::Cli::parse_args();
    ExitCode::from(sfhook::run(cli))
}
