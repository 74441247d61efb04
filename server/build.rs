//! Builds the web app (`web/`, Vite) into `web/dist`, which the binary
//! embeds, whenever its sources change. Needs Node and npm.
//!
//! `KARTENWAND_SKIP_WEB_BUILD=1` skips it (an existing `web/dist` is still
//! embedded; without one the binary serves the API only).

use std::path::Path;
use std::process::Command;

const WATCHED: [&str; 7] = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "scripts",
];

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    for path in WATCHED {
        println!("cargo:rerun-if-changed=../web/{path}");
    }
    println!("cargo:rerun-if-env-changed=KARTENWAND_SKIP_WEB_BUILD");
    let dist = web.join("dist");
    if std::env::var_os("KARTENWAND_SKIP_WEB_BUILD").is_some_and(|v| v != "0") {
        if let Err(error) = std::fs::create_dir_all(&dist) {
            panic!("cannot create {}: {error}", dist.display());
        }
        return;
    }
    if !web.join("node_modules").exists()
        || modified(&web.join("package-lock.json"))
            > modified(&web.join("node_modules/.package-lock.json"))
    {
        npm(&web, &["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
    }
    npm(&web, &["run", "build"]);
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm").args(args).current_dir(dir).status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`npm {}` in {} failed ({status}); set KARTENWAND_SKIP_WEB_BUILD=1 to build the server without the web app",
            args.join(" "),
            dir.display()
        ),
        Err(error) => panic!(
            "cannot run npm ({error}): install Node.js 20 and npm, or set KARTENWAND_SKIP_WEB_BUILD=1"
        ),
    }
}
