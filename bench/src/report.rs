//! Numbers: latency percentiles, the server's CPU time and memory from
//! `/proc`, the output lines, and the comparison table over many runs.

use anyhow::Context;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One JSON line.
type Run = Map<String, Value>;
/// Runs of one profile (and hot step) by flavour.
type ByFlavour<'a> = BTreeMap<String, Vec<&'a Run>>;

/// p50, p90, p99 and max in milliseconds (0 when there are no samples).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Percentiles {
    /// From microsecond samples (reordered in place).
    pub fn of_micros(samples: &mut [u32]) -> Self {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let index = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            f64::from(samples[index]) / 1000.0
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

/// A process's user + system CPU seconds (`/proc/PID/stat` fields 14, 15).
pub fn cpu_seconds(pid: Option<u32>) -> anyhow::Result<f64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // The command name may contain spaces and parentheses: fields start
    // after the last ')'. Field 3 (state) is the first one after it.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .with_context(|| format!("unexpected {path}"))?
        .1
        .split_whitespace()
        .collect();
    let ticks = |index: usize| -> anyhow::Result<u64> {
        fields
            .get(index)
            .and_then(|field| field.parse().ok())
            .with_context(|| format!("unexpected {path}"))
    };
    let total = ticks(11)? + ticks(12)?;
    Ok(total as f64 / rustix::param::clock_ticks_per_second() as f64)
}

/// Seconds a process's threads spent runnable but waiting for a CPU (the
/// second field of each `/proc/PID/task/TID/schedstat`): on a crowded
/// machine this says whether a server or the generator was starved.
pub fn run_queue_wait_seconds(pid: Option<u32>) -> Option<f64> {
    let base = match pid {
        Some(pid) => format!("/proc/{pid}/task"),
        None => "/proc/self/task".to_owned(),
    };
    let mut total_ns = 0u64;
    for task in std::fs::read_dir(base).ok()?.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        total_ns += stat
            .split_whitespace()
            .nth(1)
            .and_then(|field| field.parse::<u64>().ok())
            .unwrap_or(0);
    }
    Some(total_ns as f64 / 1e9)
}

/// A `/proc/PID/status` memory line in KiB (`VmRSS`, `VmHWM`).
pub fn memory_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .with_context(|| format!("no {field} in {path}"))
}

/// Prints the machine-readable line on stdout and the human one on stderr.
pub fn emit(line: &Value, human: &str) {
    println!("{line}");
    eprintln!("{human}");
}

/// Reads JSON lines (one per run) and prints, per profile and flavour, the
/// median and the range of the main numbers over the repetitions.
pub fn print_table(files: &[PathBuf]) -> anyhow::Result<()> {
    let mut runs: Vec<Map<String, Value>> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        for line in text.lines().filter(|line| line.starts_with('{')) {
            if let Ok(Value::Object(run)) = serde_json::from_str(line) {
                runs.push(run);
            }
        }
    }
    // (profile, step) → flavour → runs
    let mut groups: BTreeMap<(String, String), ByFlavour<'_>> = BTreeMap::new();
    for run in &runs {
        let text = |key: &str| {
            run.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let profile = text("profile");
        if profile == "hot-summary" {
            continue;
        }
        // The JavaScript generator's runs get tables of their own.
        let profile = match run.get("generator").and_then(Value::as_str) {
            Some(generator) => format!("{profile}, {generator} generator"),
            None => profile,
        };
        let step = match profile.as_str() {
            "hot" => format!("{}/s", number(run, "rate").unwrap_or(0.0)),
            _ => String::new(),
        };
        groups
            .entry((profile, step))
            .or_default()
            .entry(text("flavor"))
            .or_default()
            .push(run);
    }
    let columns: [(&str, &str); 11] = [
        ("p50 ms", "latency_ms.p50"),
        ("p99 ms", "latency_ms.p99"),
        ("max ms", "latency_ms.max"),
        ("deliv/s", "delivered_per_s"),
        ("missing", "missing"),
        ("conn fail", "connection_failures"),
        ("CPU s/M", "cpu_s_per_million"),
        ("peak RSS MiB", "server_peak_rss_mib"),
        ("gen CPU %", "generator_cpu_percent"),
        ("KiB/conn", "rss_per_connection_kib"),
        ("all synced s", "all_synced_s"),
    ];
    for ((profile, step), flavours) in &groups {
        let used: Vec<&(&str, &str)> = columns
            .iter()
            .filter(|(_, key)| {
                flavours
                    .values()
                    .flatten()
                    .any(|run| lookup(run, key).is_some())
            })
            .collect();
        println!();
        println!("### {profile} {step}");
        println!();
        print!("| server | runs |");
        for (title, _) in &used {
            print!(" {title} |");
        }
        println!();
        print!("|---|---|");
        for _ in &used {
            print!("---|");
        }
        println!();
        for (flavour, runs) in flavours {
            print!("| {flavour} | {} |", runs.len());
            for (_, key) in &used {
                let mut values: Vec<f64> = runs.iter().filter_map(|run| lookup(run, key)).collect();
                print!(" {} |", summarize(&mut values));
            }
            println!();
        }
    }
    // hot: the highest rate each server held, over the repetitions.
    let mut held: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in runs
        .iter()
        .filter(|run| run.get("profile").and_then(Value::as_str) == Some("hot-summary"))
    {
        let flavour = run
            .get("flavor")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        held.entry(flavour)
            .or_default()
            .push(number(run, "highest_rate_held").unwrap_or(0.0));
    }
    if !held.is_empty() {
        println!();
        println!("### hot: highest rate held (updates/s per client)");
        println!();
        println!("| server | runs | rate held |");
        println!("|---|---|---|");
        for (flavour, mut rates) in held {
            println!(
                "| {flavour} | {} | {} |",
                rates.len(),
                summarize(&mut rates)
            );
        }
    }
    Ok(())
}

fn number(run: &Map<String, Value>, key: &str) -> Option<f64> {
    run.get(key).and_then(Value::as_f64)
}

/// A dotted path into a run (`latency_ms.p99`).
fn lookup(run: &Map<String, Value>, path: &str) -> Option<f64> {
    let mut parts = path.split('.');
    let mut value = run.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    value.as_f64()
}

/// "median (min–max)".
fn summarize(values: &mut [f64]) -> String {
    if values.is_empty() {
        return "–".to_owned();
    }
    values.sort_by(f64::total_cmp);
    let median = if values.len() % 2 == 1 {
        values[values.len() / 2]
    } else {
        (values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0
    };
    let format = |value: f64| {
        if value.abs() >= 100.0 {
            format!("{value:.0}")
        } else if value.abs() >= 10.0 {
            format!("{value:.1}")
        } else {
            format!("{value:.2}")
        }
    };
    if values.len() == 1 {
        format(median)
    } else {
        format!(
            "{} ({}–{})",
            format(median),
            format(values[0]),
            format(values[values.len() - 1])
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_nearest_rank() {
        let mut samples: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        let percentiles = Percentiles::of_micros(&mut samples);
        assert_eq!(
            (percentiles.p50, percentiles.p99, percentiles.max),
            (50.0, 99.0, 100.0)
        );
    }

    #[test]
    fn reads_own_cpu_time() {
        assert!(cpu_seconds(None).is_ok_and(|seconds| seconds >= 0.0));
    }

    #[test]
    fn summary_shows_median_and_range() {
        assert_eq!(summarize(&mut [3.0, 1.0, 2.0]), "2.00 (1.00–3.00)");
        assert_eq!(summarize(&mut []), "–");
    }
}
