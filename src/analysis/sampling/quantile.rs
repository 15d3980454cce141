//! The standard normal quantile Φ⁻¹, portable to the last bit.

/// Φ⁻¹(p), the standard normal quantile, for p in [0, 1] (Wichura's algorithm AS 241,
/// PPND16: rational approximations with a relative error below 1e-16).
///
/// Uses only basic IEEE operations and `libm`'s `log` and `sqrt`, so it gives the same bits
/// on every platform. Φ⁻¹(0) = −∞, Φ⁻¹(1) = +∞; NaN outside [0, 1].
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * central_numerator(r) / central_denominator(r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        let r = r - 1.6;
        (((((((r * 7.745_450_142_783_414e-4 + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_545)
            * r
            + 1.423_437_110_749_683_5)
            / (((((((r * 1.050_750_071_644_416_9e-9 + 5.475_938_084_995_345e-4) * r
                + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_08)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        let r = r - 5.0;
        (((((((r * 2.010_334_399_292_288e-7 + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((r * 2.044_263_103_389_939_7e-15 + 1.421_511_758_316_446e-7) * r
                + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_887_9)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

fn central_numerator(r: f64) -> f64 {
    ((((((r * 2_509.080_928_730_122_7 + 33_430.575_583_588_13) * r + 67_265.770_927_008_7) * r
        + 45_921.953_931_549_87)
        * r
        + 13_731.693_765_509_46)
        * r
        + 1_971.590_950_306_551_3)
        * r
        + 133.141_667_891_784_38)
        * r
        + 3.387_132_872_796_366_5
}

fn central_denominator(r: f64) -> f64 {
    ((((((r * 5_226.495_278_852_546 + 28_729.085_735_721_943) * r + 39_307.895_800_092_71) * r
        + 21_213.794_301_586_597)
        * r
        + 5_394.196_021_424_751)
        * r
        + 687.187_007_492_057_9)
        * r
        + 42.313_330_701_600_91)
        * r
        + 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Φ(x) by the complementary error function (an independent route).
    fn cdf(x: f64) -> f64 {
        0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }

    #[test]
    fn matches_published_quantiles() {
        // Reference values (e.g. R's qnorm, tables of the normal distribution).
        for (p, x) in [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.1, -1.281_551_565_544_600_4),
            (0.05, -1.644_853_626_951_472_2),
            (1e-10, -6.361_340_902_404_056),
            (0.999, 3.090_232_306_167_813_5),
        ] {
            let got = normal_quantile(p);
            assert!(
                (got - x).abs() <= 1e-14 * x.abs().max(1.0),
                "{p}: {got} vs {x}"
            );
        }
    }

    #[test]
    fn inverts_the_cdf() {
        for k in 1..2000 {
            let p = f64::from(k) / 2000.0;
            let back = cdf(normal_quantile(p));
            assert!((back - p).abs() <= 1e-14, "{p}: {back}");
        }
        for p in [1e-300, 1e-100, 1e-20, 1e-5] {
            let back = cdf(normal_quantile(p));
            assert!((back - p).abs() <= 1e-12 * p, "{p}: {back}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(normal_quantile(-0.1).is_nan());
        assert!(normal_quantile(f64::NAN).is_nan());
    }
}
