//! Builds the web app (`web/`, Vite) into `web/dist`, which the binary
//! embeds, whenever its sources change. Needs Node and npm.
//!
//! Also writes the two font faces the documents use (Libertinus Serif
//! Regular and Bold, see `src/export/pdf.rs`) into `OUT_DIR`, taken from
//! the `typst-assets` package (a build dependency only): the binary embeds
//! those two files instead of the package's 17 fonts. Their licence, from
//! the same package's NOTICE, is `server/fonts/LICENSE-LibertinusSerif.txt`.
//!
//! The PDF's fallback faces for the scripts Libertinus lacks (Arabic and
//! Farsi, Ethiopic, emoji) come from npm packages pinned in
//! `server/fonts/package-lock.json`: `npm ci` installs them into `OUT_DIR`
//! (again only when the lock file changed) and the faces listed in
//! [`FALLBACK_FONTS`] are copied beside the other two. Their licences are
//! in `server/fonts/` too.
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

/// The faces the documents use, by PostScript name, and the file each is
/// written to in `OUT_DIR` (`src/export/pdf.rs` includes them).
const FONTS: [(&str, &str); 2] = [
    ("LibertinusSerif-Regular", "LibertinusSerif-Regular.otf"),
    ("LibertinusSerif-Bold", "LibertinusSerif-Bold.otf"),
];

/// The fallback faces, as (package, file in the package, file in
/// `OUT_DIR`): `src/export/fonts.rs` includes them. Regular and Bold where
/// headings need Bold; emoji have one weight.
const FALLBACK_FONTS: [(&str, &str, &str); 5] = [
    (
        "@expo-google-fonts/noto-sans-arabic",
        "400Regular/NotoSansArabic_400Regular.ttf",
        "NotoSansArabic-Regular.ttf",
    ),
    (
        "@expo-google-fonts/noto-sans-arabic",
        "700Bold/NotoSansArabic_700Bold.ttf",
        "NotoSansArabic-Bold.ttf",
    ),
    (
        "@expo-google-fonts/noto-sans-ethiopic",
        "400Regular/NotoSansEthiopic_400Regular.ttf",
        "NotoSansEthiopic-Regular.ttf",
    ),
    (
        "@expo-google-fonts/noto-sans-ethiopic",
        "700Bold/NotoSansEthiopic_700Bold.ttf",
        "NotoSansEthiopic-Bold.ttf",
    ),
    (
        "@expo-google-fonts/noto-emoji",
        "400Regular/NotoEmoji_400Regular.ttf",
        "NotoEmoji-Regular.ttf",
    ),
];

fn main() {
    write_fonts();
    write_fallback_fonts();
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

/// Finds each face of [`FONTS`] among `typst_assets::fonts()` by its
/// PostScript name (stored as ASCII in the font's CFF table, and followed
/// there by a byte that is no name character, so `-Bold` does not match
/// `-BoldItalic`) and writes it to `OUT_DIR`.
fn write_fonts() {
    let out = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from);
    let Some(out) = out else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    for (name, file) in FONTS {
        let found: Vec<&[u8]> = typst_assets::fonts()
            .filter(|data| names_face(data, name.as_bytes()))
            .collect();
        let [data] = found.as_slice() else {
            panic!(
                "typst-assets holds {} fonts named {name}, expected one",
                found.len()
            );
        };
        if let Err(error) = std::fs::write(out.join(file), data) {
            panic!("cannot write {file} to {}: {error}", out.display());
        }
    }
}

/// Installs `server/fonts/package.json` with `npm ci` into
/// `OUT_DIR/fonts-npm` (skipped when the lock file there is the same) and
/// copies each of [`FALLBACK_FONTS`] to `OUT_DIR`.
fn write_fallback_fonts() {
    let Some(out) = std::env::var_os("OUT_DIR").map(std::path::PathBuf::from) else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    println!("cargo:rerun-if-changed=fonts/package.json");
    println!("cargo:rerun-if-changed=fonts/package-lock.json");
    let npm_dir = out.join("fonts-npm");
    let read = |path: &Path| std::fs::read(path).ok();
    let lock = read(&fonts.join("package-lock.json"));
    let installed = read(&npm_dir.join("package-lock.json")) == lock
        && FALLBACK_FONTS.iter().all(|(package, file, _)| {
            npm_dir
                .join("node_modules")
                .join(package)
                .join(file)
                .exists()
        });
    if !installed {
        if let Err(error) = std::fs::create_dir_all(&npm_dir) {
            panic!("cannot create {}: {error}", npm_dir.display());
        }
        for file in ["package.json", "package-lock.json"] {
            if let Err(error) = std::fs::copy(fonts.join(file), npm_dir.join(file)) {
                panic!("cannot copy server/fonts/{file}: {error}");
            }
        }
        npm(
            &npm_dir,
            &[
                "ci",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ],
        );
    }
    for (package, file, target) in FALLBACK_FONTS {
        let source = npm_dir.join("node_modules").join(package).join(file);
        if let Err(error) = std::fs::copy(&source, out.join(target)) {
            panic!("cannot copy {}: {error}", source.display());
        }
    }
}

fn names_face(data: &[u8], name: &[u8]) -> bool {
    data.windows(name.len() + 1).any(|window| {
        window.starts_with(name) && {
            let next = window[name.len()];
            !(next.is_ascii_alphanumeric() || next == b'-')
        }
    })
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm").args(args).current_dir(dir).status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`npm {}` in {} failed ({status}); the documents' fonts need it, the web app can be left out with KARTENWAND_SKIP_WEB_BUILD=1",
            args.join(" "),
            dir.display()
        ),
        Err(error) => panic!(
            "cannot run npm ({error}): install Node.js 20 and npm (the documents' fonts and the web app need it)"
        ),
    }
}
