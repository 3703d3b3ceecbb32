//! Stacked bar charts as inline SVG, drawn by factmine itself: no script,
//! no fonts or styles from elsewhere, readable from disk. Every bar segment
//! carries a `<title>` with its exact figure.

use super::site::escape;
use std::fmt::Write;

/// Colours of the series, in order (distinct for the usual colour-vision
/// deficiencies: the Okabe–Ito palette, then greys).
const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#999999", "#CCCCCC",
];

/// Room above the plot for the tallest bar's figure.
const TOP: f64 = 16.0;

/// One series: a name and a value for each bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name in the legend.
    pub name: String,
    /// One value per bar label.
    pub values: Vec<f64>,
}

/// Which way the bars run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Columns over labels along the bottom.
    Vertical,
    /// Bars from labels down the left side.
    Horizontal,
}

/// A stacked bar chart: one bar per label, one segment per series, with a
/// legend. `title` names the chart for screen readers.
pub fn stacked_bars(title: &str, labels: &[String], series: &[Series], dir: Direction) -> String {
    let totals: Vec<f64> = (0..labels.len())
        .map(|i| series.iter().map(|s| s.values[i]).sum())
        .collect();
    let max = totals.iter().copied().fold(0.0, f64::max).max(1.0);
    let (bar, gap) = (22.0, 8.0);
    let (label_room, plot_len) = match dir {
        Direction::Vertical => (60.0, 220.0),
        Direction::Horizontal => (190.0, 420.0),
    };
    let along = labels.len() as f64 * (bar + gap) + gap;
    let legend_rows = series.len().div_ceil(3) as f64;
    let (width, plot_height) = match dir {
        Direction::Vertical => ((along + 50.0).max(480.0), TOP + plot_len + label_room),
        Direction::Horizontal => (label_room + plot_len + 60.0, along),
    };
    let height = plot_height + 20.0 + legend_rows * 18.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{}"><title>{0}</title>"#,
        escape(title)
    );
    for (i, label) in labels.iter().enumerate() {
        let offset = gap + i as f64 * (bar + gap);
        let mut filled = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values[i];
            if v <= 0.0 {
                continue;
            }
            let len = v / max * plot_len;
            let (x, y, w, h) = match dir {
                Direction::Vertical => (40.0 + offset, TOP + plot_len - filled - len, bar, len),
                Direction::Horizontal => (label_room + filled, offset, len, bar),
            };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}"><title>{}, {}: {}</title></rect>"#,
                PALETTE[k % PALETTE.len()],
                escape(label),
                escape(&s.name),
                v
            );
            filled += len;
        }
        let _ = match dir {
            Direction::Vertical => write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="10" transform="rotate(50 {0:.1} {1:.1})">{}</text>"#,
                40.0 + offset + 4.0,
                TOP + plot_len + 12.0,
                escape(label)
            ),
            Direction::Horizontal => write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"#,
                label_room - 6.0,
                offset + bar * 0.7,
                escape(label)
            ),
        };
        if totals[i] > 0.0 {
            let (x, y) = match dir {
                Direction::Vertical => (40.0 + offset, TOP + plot_len - filled - 4.0),
                Direction::Horizontal => (label_room + filled + 4.0, offset + bar * 0.7),
            };
            let _ = write!(
                svg,
                r#"<text x="{x:.1}" y="{y:.1}" font-size="10">{}</text>"#,
                totals[i]
            );
        }
    }
    for (k, s) in series.iter().enumerate() {
        let x = 10.0 + (k % 3) as f64 * (width - 20.0) / 3.0;
        let y = plot_height + 14.0 + (k / 3) as f64 * 18.0;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{y:.1}" font-size="11">{}</text>"#,
            y - 9.0,
            PALETTE[k % PALETTE.len()],
            x + 14.0,
            escape(&s.name)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_per_label_a_segment_per_nonzero_value() {
        let svg = stacked_bars(
            "Facts <by> quarter",
            &["2023-Q1".into(), "2023-Q2".into()],
            &[
                Series {
                    name: "London".into(),
                    values: vec![3.0, 0.0],
                },
                Series {
                    name: "Midlands & East".into(),
                    values: vec![1.0, 2.0],
                },
            ],
            Direction::Vertical,
        );
        // Three segments and two legend swatches.
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("<title>2023-Q1, London: 3</title>"));
        assert!(svg.contains("aria-label=\"Facts &lt;by&gt; quarter\""));
        assert!(svg.contains("Midlands &amp; East"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
