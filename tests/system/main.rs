//! Black-box tests: the real `kartenwand` binary on an ephemeral port with a
//! temporary SQLite file, driven by real websocket clients.

mod api;
mod assets;
mod authorization;
mod capacity;
mod common;
mod config;
mod connections;
mod deletion;
mod documentation;
mod durability;
mod erasure;
mod events;
mod exports;
mod hostile;
mod limits;
mod logs;
mod memory;
mod metrics;
mod notice;
mod organisers;
mod personal_data;
mod photos;
mod postgres;
mod refusals;
mod registration;
mod restore;
mod retention;
mod scripts;
mod series;
mod suggestions;
mod sync;
mod throttling;
mod tree;
