//! Plots of the emission schedule (`phalanx tokenomics schedule --plot FILE`): SVG, whose
//! text the viewer draws, or PNG, whose text is drawn here with the system's DejaVu Sans
//! ([`crate::plot_text`]).

use crate::tokenomics::{Row, row};
use phalanx_runtime::tokenomics::{self, schedule};
use phalanx_types::{Amount, UNITS_PER_PHA};
use std::path::Path;

/// The plot's size in pixels (a PNG's; an SVG's in user units).
const PLOT_SIZE: (u32, u32) = (1100, 640);

/// The font a PNG plot's text is drawn with, from Debian's `fonts-dejavu-core`. An SVG names a
/// font family and leaves drawing its text to the viewer, so it needs no font file.
const PNG_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// The largest font file read (DejaVuSans.ttf is about 760 KB).
const MAX_FONT_BYTES: u64 = 32 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotFormat {
    Svg,
    Png,
}

impl PlotFormat {
    /// The format named by the file's extension (`.svg` or `.png`, in any case).
    pub fn of(path: &Path) -> Result<Self, String> {
        let ext = path.extension().and_then(|e| e.to_str());
        match ext.map(str::to_ascii_lowercase).as_deref() {
            Some("svg") => Ok(Self::Svg),
            Some("png") => Ok(Self::Png),
            _ => Err(format!(
                "--plot {}: plots are drawn as SVG or PNG: name the file .svg or .png",
                path.display()
            )),
        }
    }
}

/// Draws the schedule to `path`, as SVG or PNG by its extension.
pub fn draw(params: &tokenomics::Params, days: u64, path: &Path) -> Result<(), String> {
    draw_with_font(params, days, path, Path::new(PNG_FONT))
}

/// [`draw`], with a PNG's text drawn with the font at `font` (SVG needs none).
fn draw_with_font(
    params: &tokenomics::Params,
    days: u64,
    path: &Path,
    font: &Path,
) -> Result<(), String> {
    use plotters::prelude::*;
    let err = |e: &dyn std::fmt::Display| format!("cannot draw {}: {e}", path.display());
    match PlotFormat::of(path)? {
        PlotFormat::Svg => {
            let root = SVGBackend::new(path, PLOT_SIZE).into_drawing_area();
            chart(root, params, days).map_err(|e| err(&e))
        }
        PlotFormat::Png => {
            let font = load_font(font)?;
            let (w, h) = PLOT_SIZE;
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            let backend = crate::plot_text::TextBitmap {
                bitmap: BitMapBackend::with_buffer(&mut rgb, PLOT_SIZE),
                font: &font,
            };
            chart(backend.into_drawing_area(), params, days).map_err(|e| err(&e))?;
            let png = encode_png(&rgb, PLOT_SIZE).map_err(|e| err(&e))?;
            std::fs::write(path, png).map_err(|e| err(&e))
        }
    }
}

/// Draws the cumulative emission (left axis) and the daily budget (right axis) on `root`.
fn chart<DB: plotters::prelude::DrawingBackend>(
    root: plotters::drawing::DrawingArea<DB, plotters::coord::Shift>,
    params: &tokenomics::Params,
    days: u64,
) -> Result<(), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    use plotters::prelude::*;
    let million = |a: Amount| a as f64 / (UNITS_PER_PHA as f64 * 1e6);
    let thousand = |a: Amount| a as f64 / (UNITS_PER_PHA as f64 * 1e3);
    let step = days.div_ceil(2_000).max(1);
    let points: Vec<Row> = (0..=days)
        .filter(|d| d % step == 0 || *d == days)
        .map(|d| {
            // Day 0 is genesis: nothing emitted yet, at the first day's rate.
            let mut r = row(params, d.max(1));
            if d == 0 {
                r.day = 0;
                r.cumulative = 0;
            }
            r
        })
        .collect();
    let limit = million(schedule::supremum(params));
    let top_daily = thousand(params.daily_emission) * 1.1;
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "PHA emission schedule (mining reserve to mining rewards)",
            ("sans-serif", 24),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .right_y_label_area_size(80)
        .build_cartesian_2d(0f64..days as f64, 0f64..limit * 1.08)?
        .set_secondary_coord(0f64..days as f64, 0f64..top_daily);
    chart
        .configure_mesh()
        .x_desc("days since genesis")
        .y_desc("cumulative emission (million PHA)")
        // At most one label per whole day (a short projection would repeat `0 0 0 1 1`).
        .x_labels((days as usize + 1).min(12))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("daily budget (thousand PHA per day)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(230, 120, 20);
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|r| (r.day as f64, million(r.cumulative))),
            blue.stroke_width(2),
        ))?
        .label("cumulative emission (left)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            [(0.0, limit), (days as f64, limit)],
            BLACK.mix(0.5),
        ))?
        .label(format!("limit {:.1} million PHA", limit))
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
    chart
        .draw_secondary_series(LineSeries::new(
            points.iter().map(|r| (r.day as f64, thousand(r.daily))),
            orange.stroke_width(2),
        ))?
        .label("daily budget (right)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], orange.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()
}

/// Reads the font a PNG's text is drawn with; its absence names the package that installs it.
fn load_font(path: &Path) -> Result<ab_glyph::FontVec, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "a PNG plot needs the font {}, which is missing: install Debian's \
                 fonts-dejavu-core (apt-get install fonts-dejavu-core), or name the file .svg \
                 (an SVG needs no font file)",
                path.display()
            )
        } else {
            format!("cannot read the font {}: {e}", path.display())
        }
    })?;
    let mut bytes = Vec::new();
    file.take(MAX_FONT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the font {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FONT_BYTES {
        return Err(format!(
            "the font {} is larger than {} MiB: not the one fonts-dejavu-core installs",
            path.display(),
            MAX_FONT_BYTES >> 20
        ));
    }
    ab_glyph::FontVec::try_from_vec(bytes).map_err(|_| {
        format!(
            "{} is not a TrueType font (reinstall fonts-dejavu-core)",
            path.display()
        )
    })
}

/// Encodes an RGB buffer of `w × h` pixels as PNG.
fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory for one test's plots.
    fn plot_dir(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("phalanx-plot-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }

    #[test]
    fn draws_an_svg_without_a_font_file() {
        let dir = plot_dir("svg");
        let p = tokenomics::Params::default();
        let svg = dir.join("schedule.svg");
        assert_eq!(draw(&p, 3650, &svg), Ok(()));
        let text = std::fs::read_to_string(&svg).unwrap_or_default();
        assert!(text.contains("<svg") && text.contains("cumulative emission"));
        // Upper case too, and with no font file at all: an SVG leaves its text to the viewer.
        let upper = dir.join("SCHEDULE.SVG");
        let no_font = dir.join("no-such-font.ttf");
        assert_eq!(draw_with_font(&p, 30, &upper, &no_font), Ok(()));
        assert!(std::fs::read_to_string(&upper).is_ok_and(|t| t.contains("<svg")));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn draws_a_png_with_the_system_font() {
        if !Path::new(PNG_FONT).is_file() {
            eprintln!(
                "skipped: {PNG_FONT} is missing (apt-get install fonts-dejavu-core; .ci/run does)"
            );
            return;
        }
        let dir = plot_dir("png");
        let p = tokenomics::Params::default();
        for name in ["schedule.png", "schedule.PNG"] {
            let path = dir.join(name);
            assert_eq!(draw(&p, 3650, &path), Ok(()), "{name}");
            let bytes = std::fs::read(&path).unwrap_or_default();
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
            // The first chunk is IHDR: length 13, type, then width and height (big-endian).
            assert_eq!(bytes.get(8..16), Some(&b"\0\0\0\x0dIHDR"[..]), "{name}");
            let be = |at: usize| {
                bytes
                    .get(at..at + 4)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_be_bytes)
            };
            assert_eq!((be(16), be(20)), (Some(1100), Some(640)), "{name}");
            // 8-bit RGB, as encoded.
            assert_eq!(bytes.get(24..26), Some(&[8u8, 2][..]), "{name}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_png_without_its_font_names_the_package_and_writes_nothing() {
        let dir = plot_dir("nofont");
        let png = dir.join("schedule.png");
        let font = dir.join("DejaVuSans.ttf");
        let p = tokenomics::Params::default();
        let e = draw_with_font(&p, 30, &png, &font)
            .err()
            .unwrap_or_default();
        assert!(
            e.contains("fonts-dejavu-core") && e.contains(&font.display().to_string()),
            "{e}"
        );
        assert!(!png.exists());
        // A file that is not a font says so.
        std::fs::write(&font, b"not a font").unwrap_or_default();
        let e = draw_with_font(&p, 30, &png, &font)
            .err()
            .unwrap_or_default();
        assert!(e.contains("not a TrueType font"), "{e}");
        assert!(!png.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn other_extensions_are_refused_naming_both_formats() {
        let dir = plot_dir("ext");
        let p = tokenomics::Params::default();
        for name in [
            "schedule.bmp",
            "schedule.gif",
            "schedule",
            "schedule.svg.txt",
        ] {
            let path = dir.join(name);
            let e = draw(&p, 10, &path).err().unwrap_or_default();
            assert!(e.contains(".svg") && e.contains(".png"), "{name}: {e}");
            assert!(!path.exists(), "{name}");
        }
        assert_eq!(PlotFormat::of(Path::new("a.Svg")), Ok(PlotFormat::Svg));
        assert_eq!(PlotFormat::of(Path::new("a.pNg")), Ok(PlotFormat::Png));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
