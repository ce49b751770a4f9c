//! One module per subcommand, each with a `run`. `dispatch` is the only
//! place that knows them all.

mod activate;
mod completions;
mod configure;
mod demo;
mod doctor;
mod events;
mod listen;
mod logs;
mod mock;
mod redeliver;
mod run;
mod send;
mod sign;
mod status;
mod subscribe;

use anyhow::Result;

use crate::cli::{Command, EventsCommand, LogsCommand};
use crate::context::Context;

pub async fn dispatch(ctx: &Context, command: Command) -> Result<()> {
    if uses_saved_profile(&command, ctx) {
        ctx.require_known_profile()?;
    }
    match command {
        Command::Configure(args) => configure::run(ctx, args),
        Command::Activate(args) => activate::run(ctx, args, true),
        Command::Deactivate(args) => activate::run(ctx, args, false),
        Command::Status(args) => status::run(ctx, args),
        Command::Events(args) => match args.command {
            Some(EventsCommand::Show(show)) => events::show(ctx, show),
            Some(EventsCommand::Schema(schema)) => events::schema(ctx, schema),
            None => events::list(ctx, args),
        },
        Command::Subscribe(args) => subscribe::subscribe(ctx, args),
        Command::Unsubscribe(args) => subscribe::unsubscribe(ctx, args),
        Command::Mock(args) => mock::run(ctx, args).await,
        Command::Send(args) => send::run(ctx, args).await,
        Command::Redeliver(args) => redeliver::run(ctx, args).await,
        Command::Run(args) => run::run(ctx, args).await,
        Command::Logs(args) => match args.command {
            Some(LogsCommand::Summary(summary)) => logs::summary(ctx, summary),
            Some(LogsCommand::Show(show)) => logs::show(ctx, show),
            Some(LogsCommand::Prune(prune)) => logs::prune(ctx, prune),
            None => logs::list(ctx, args),
        },
        Command::Sign(args) => sign::sign(ctx, args),
        Command::Verify(args) => sign::verify(ctx, args),
        Command::Listen(args) => listen::run(ctx, args).await,
        Command::Doctor(args) => doctor::run(ctx, args).await,
        Command::Demo => Box::pin(demo::run(ctx)).await,
        Command::Completions(args) => completions::completions(args),
        Command::Help(args) => completions::help(args, ctx.out.color()),
    }
}

/// The commands that act on a saved profile, where a mistyped `--profile`
/// must not pass for an empty one. `configure` creates profiles; `mock`,
/// `run` and `doctor` can work from the environment alone; the rest do not
/// read a profile.
fn uses_saved_profile(command: &Command, ctx: &Context) -> bool {
    match command {
        Command::Activate(_)
        | Command::Deactivate(_)
        | Command::Status(_)
        | Command::Subscribe(_)
        | Command::Unsubscribe(_)
        | Command::Send(_)
        | Command::Redeliver(_)
        | Command::Logs(_) => true,
        Command::Events(args) => args.subscribed,
        Command::Doctor(_) => ctx.env_url().is_none(),
        _ => false,
    }
}
