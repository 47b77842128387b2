pub mod coord;
pub mod pack;
pub mod pipeline;
pub mod report;
pub mod verify;
