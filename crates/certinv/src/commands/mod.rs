pub mod coord;
pub mod diff;
pub mod locate;
pub mod pack;
pub mod pipeline;
pub mod report;
pub mod verify;
