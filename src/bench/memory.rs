//! Memory per live lobby: RSS with every lobby of the fleet live, above the process with the tree
//! running and the rows stored but none of those lobbies live.

use super::Figure;
use super::fixture::Fleet;

pub fn run(fleet: &Fleet) -> Vec<Figure> {
    let n = fleet.deadlines.len();
    let per_lobby = fleet.rss_after.saturating_sub(fleet.rss_before) as f64 / n as f64;
    let mut figures = vec![
        Figure::new(format!("lobby_memory_per_live_lobby_{n}"), per_lobby / 1024.0, "KiB"),
        Figure::new(format!("lobby_spawn_rate_{n}"), n as f64 / fleet.spawn_time.as_secs_f64(), "lobbies/s"),
    ];
    if fleet.late {
        figures.push(Figure::new("lobby_memory_note_first_deadline_passed_while_spawning", 1.0, "flag"));
    }
    figures
}
