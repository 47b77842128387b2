//! Completions and the man page, generated from the clap definition so they
//! can never disagree with the flags the binary accepts.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::commands::report::Failure;
use crate::exit;

pub fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "certinv",
        &mut std::io::stdout(),
    );
    Ok(exit::OK)
}

pub fn man() -> Result<u8, Failure> {
    match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
        // `certinv man | head` closing the pipe is the reader's choice.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure {
            code: exit::BAD_INPUT,
            message: format!("cannot write the man page: {e}"),
        }),
        _ => Ok(exit::OK),
    }
}
