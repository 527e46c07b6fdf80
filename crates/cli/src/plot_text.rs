//! A plotters bitmap backend that draws its text with a font file (ab_glyph), for PNG plots.

use ab_glyph::{Font, FontVec, PxScaleFont, ScaleFont};
use plotters::prelude::BitMapBackend;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// plotters' bitmap with its text drawn by ab_glyph from a font file. (plotters' own `ab_glyph`
/// feature would draw it too, but it replaces the font metrics of every backend, so SVG plots
/// would need a registered font as well; plotters without it cannot draw text in a bitmap.)
pub(super) struct TextBitmap<'a> {
    pub(super) bitmap: BitMapBackend<'a>,
    pub(super) font: &'a FontVec,
}

impl<'a> TextBitmap<'a> {
    /// The font at plotters' text size `size`: an em of `size / 1.24` pixels, as the SVG
    /// backend writes `font-size`.
    fn scaled(&self, size: f64) -> PxScaleFont<&'a FontVec> {
        let em = size as f32 / 1.24;
        let height = match self.font.units_per_em() {
            Some(units) if units > 0.0 => em * self.font.height_unscaled() / units,
            _ => em,
        };
        self.font.as_scaled(height)
    }
}

/// The advance width of `text` in pixels.
fn text_width(font: &PxScaleFont<&FontVec>, text: &str) -> f32 {
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        prev = Some(id);
    }
    width
}

impl<'a> DrawingBackend for TextBitmap<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.bitmap.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.bitmap.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let font = self.scaled(style.size());
        Ok((
            text_width(&font, text).ceil() as u32,
            font.height().ceil() as u32,
        ))
    }

    /// Draws `text` anchored at `pos` as plotters' default `draw_text` does (its box aligned by
    /// the style's anchor, then turned by its transform about `pos`), each glyph's coverage
    /// blended in as alpha.
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let font = self.scaled(style.size());
        let width = text_width(&font, text);
        let height = font.height();
        let mut caret = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let top = match style.anchor().v_pos {
            VPos::Top => 0.0,
            VPos::Center => -height / 2.0,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            prev = Some(id);
            let glyph = id
                .with_scale_and_position(font.scale(), ab_glyph::point(caret, top + font.ascent()));
            caret += font.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // a space
            };
            let corner = outline.px_bounds().min;
            let mut drawn = Ok(());
            outline.draw(|x, y, coverage| {
                if drawn.is_err() || coverage <= 0.0 {
                    return;
                }
                let (x, y) =
                    transform.transform(corner.x as i32 + x as i32, corner.y as i32 + y as i32);
                let alpha = color.alpha * f64::from(coverage.min(1.0));
                drawn = self.bitmap.draw_pixel(
                    (pos.0 + x, pos.1 + y),
                    BackendColor {
                        alpha,
                        rgb: color.rgb,
                    },
                );
            });
            drawn?;
        }
        Ok(())
    }
}
