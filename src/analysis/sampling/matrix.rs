//! The matrix work of the sampler (nalgebra): the smallest eigenvalue of a correlation
//! matrix, its repair to the nearest correlation matrix, and a Cholesky factor that also
//! accepts singular (positive semi-definite) matrices.
//!
//! nalgebra's decompositions use only basic IEEE operations and `sqrt` in a fixed order,
//! so their results are the same on every platform.

use nalgebra::{DMatrix, SymmetricEigen};

use crate::error::{Error, Result};

#[doc(no_inline)]
pub use crate::tolerance::CHOLESKY_PIVOT;
pub use crate::tolerance::PSD_EIGENVALUE;
use crate::tolerance::REPAIR_STEP;

/// Most alternating-projection iterations.
const REPAIR_MAX_ITERATIONS: usize = 10_000;

/// Eigen-decomposition of a symmetric matrix.
fn eigen(m: &DMatrix<f64>) -> Result<SymmetricEigen<f64, nalgebra::Dyn>> {
    SymmetricEigen::try_new(m.clone(), f64::EPSILON, 100_000).ok_or_else(|| {
        Error::Solver("the eigenvalues of the correlation matrix did not converge".into())
    })
}

/// The smallest eigenvalue of symmetric `m` and a unit eigenvector for it.
pub fn smallest_eigen(m: &DMatrix<f64>) -> Result<(f64, Vec<f64>)> {
    if m.nrows() == 0 {
        return Ok((f64::INFINITY, Vec::new()));
    }
    let e = eigen(m)?;
    let k = e.eigenvalues.imin();
    Ok((
        e.eigenvalues[k],
        e.eigenvectors.column(k).iter().copied().collect(),
    ))
}

/// `m` with every eigenvalue below 0 set to 0 (the nearest positive semi-definite matrix
/// in the Frobenius norm).
fn clip_to_psd(m: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let mut e = eigen(m)?;
    e.eigenvalues.apply(|v| *v = v.max(0.0));
    let mut out = e.recompose();
    symmetrize(&mut out);
    Ok(out)
}

fn symmetrize(m: &mut DMatrix<f64>) {
    for i in 0..m.nrows() {
        for j in 0..i {
            let v = 0.5 * (m[(i, j)] + m[(j, i)]);
            m[(i, j)] = v;
            m[(j, i)] = v;
        }
    }
}

/// A repaired correlation matrix and how it was found.
#[derive(Debug, Clone)]
pub struct Repaired {
    /// Positive semi-definite with unit diagonal.
    pub matrix: DMatrix<f64>,
    /// Alternating-projection iterations run.
    pub iterations: usize,
    /// False when the iterations stopped at their limit before converging (the final
    /// clip-and-rescale step still makes the matrix a valid correlation matrix).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "what the tests check of the iteration")
    )]
    pub converged: bool,
}

/// The nearest correlation matrix to symmetric `a` with unit diagonal (Higham 2002,
/// "Computing the nearest correlation matrix", alternating projections with Dykstra's
/// correction, unweighted Frobenius norm), followed by one step that makes the result
/// exactly valid: eigenvalues below 0 clipped to 0, then rescaled to unit diagonal
/// (D^-½ X D^-½, which keeps it positive semi-definite).
pub fn nearest_correlation(a: &DMatrix<f64>) -> Result<Repaired> {
    let mut y = a.clone();
    let mut correction = DMatrix::<f64>::zeros(a.nrows(), a.ncols());
    let mut iterations = 0;
    let mut converged = false;
    while iterations < REPAIR_MAX_ITERATIONS {
        iterations += 1;
        let r = &y - &correction;
        let x = clip_to_psd(&r)?;
        correction = &x - &r;
        let mut next = x.clone();
        next.fill_diagonal(1.0);
        let step = (&next - &y).norm();
        let gap = (&next - &x).norm();
        y = next;
        if step <= REPAIR_STEP && gap <= REPAIR_STEP {
            converged = true;
            break;
        }
    }
    let mut x = clip_to_psd(&y)?;
    let scale: Vec<f64> = (0..x.nrows())
        .map(|i| {
            let d = x[(i, i)];
            if d > 0.0 {
                1.0 / d.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    for i in 0..x.nrows() {
        for j in 0..x.ncols() {
            x[(i, j)] *= scale[i] * scale[j];
        }
    }
    symmetrize(&mut x);
    x.fill_diagonal(1.0);
    Ok(Repaired {
        matrix: x,
        iterations,
        converged,
    })
}

/// A lower-triangular L with L Lᵀ = `m`, for a positive semi-definite `m`: nalgebra's
/// Cholesky when `m` is positive definite, otherwise the same recurrence with every pivot
/// at or below [`crate::tolerance::CHOLESKY_PIVOT`] set to 0 together with its column
/// (exact for singular matrices such as perfectly correlated countries, which nalgebra
/// refuses).
pub fn cholesky_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    if let Some(c) = nalgebra::Cholesky::new(m.clone()) {
        return c.l();
    }
    let n = m.nrows();
    let mut l = DMatrix::<f64>::zeros(n, n);
    for j in 0..n {
        let mut d = m[(j, j)];
        for k in 0..j {
            d -= l[(j, k)] * l[(j, k)];
        }
        if d <= CHOLESKY_PIVOT {
            continue;
        }
        let pivot = d.sqrt();
        l[(j, j)] = pivot;
        for i in j + 1..n {
            let mut v = m[(i, j)];
            for k in 0..j {
                v -= l[(i, k)] * l[(j, k)];
            }
            l[(i, j)] = v / pivot;
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(n: usize, entries: &[f64]) -> DMatrix<f64> {
        DMatrix::from_row_slice(n, n, entries)
    }

    #[test]
    fn smallest_eigenvalue_of_a_known_matrix() {
        // [[1, r], [r, 1]] has eigenvalues 1 ± r.
        let (l, v) = smallest_eigen(&matrix(2, &[1.0, 0.6, 0.6, 1.0])).unwrap();
        assert!((l - 0.4).abs() < 1e-14, "{l}");
        assert!((v[0].abs() - v[1].abs()).abs() < 1e-12 && v[0] * v[1] < 0.0);
        // Pairwise 0.9, 0.9 and -0.9 cannot all hold: eigenvalues 1.9, 1.9, -0.8.
        let bad = matrix(3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
        let (l, _) = smallest_eigen(&bad).unwrap();
        assert!((l + 0.8).abs() < 1e-12, "{l}");
    }

    #[test]
    fn repair_gives_a_correlation_matrix_and_keeps_valid_ones() {
        let bad = matrix(3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
        let r = nearest_correlation(&bad).unwrap();
        assert!(r.converged, "{} iterations", r.iterations);
        let (l, _) = smallest_eigen(&r.matrix).unwrap();
        assert!(l >= -1e-12, "{l}");
        for i in 0..3 {
            assert_eq!(r.matrix[(i, i)], 1.0);
        }
        // Symmetric in the roles of countries 1 and 2 (a sign flip maps the problem to
        // itself), so the repaired entries keep that symmetry.
        assert!((r.matrix[(0, 1)] - r.matrix[(0, 2)]).abs() < 1e-9);
        // A matrix that is already valid moves by (almost) nothing.
        let good = matrix(3, &[1.0, 0.3, 0.1, 0.3, 1.0, 0.2, 0.1, 0.2, 1.0]);
        let r = nearest_correlation(&good).unwrap();
        assert!((&r.matrix - &good).norm() < 1e-12);
    }

    #[test]
    fn repair_finds_the_known_nearest_matrix() {
        // Higham (2002), section 4: the nearest correlation matrix to
        // [[1 1 0], [1 1 1], [0 1 1]] has off-diagonals 0.7607, 0.1573, 0.7607.
        let a = matrix(3, &[1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
        let r = nearest_correlation(&a).unwrap();
        assert!((r.matrix[(0, 1)] - 0.7607).abs() < 5e-5, "{}", r.matrix);
        assert!((r.matrix[(0, 2)] - 0.1573).abs() < 5e-5, "{}", r.matrix);
        assert!((r.matrix[(1, 2)] - 0.7607).abs() < 5e-5, "{}", r.matrix);
    }

    #[test]
    fn cholesky_reproduces_definite_and_singular_matrices() {
        let definite = matrix(3, &[1.0, 0.3, 0.1, 0.3, 1.0, 0.2, 0.1, 0.2, 1.0]);
        // Countries 0 and 1 perfectly correlated, 2 correlated with both by 0.5.
        let singular = matrix(3, &[1.0, 1.0, 0.5, 1.0, 1.0, 0.5, 0.5, 0.5, 1.0]);
        for m in [definite, singular] {
            let l = cholesky_psd(&m);
            assert!((&l * l.transpose() - &m).norm() < 1e-12, "{l}");
            for i in 0..3 {
                for j in i + 1..3 {
                    assert_eq!(l[(i, j)], 0.0);
                }
            }
        }
    }

    // Moved from tests/it/sampling.rs.
    use crate::spec::TestRng;

    #[test]
    fn copula_matrix_is_valid() {
        let m = DMatrix::from_row_slice(
            4,
            4,
            &[
                1.0, -0.4, 0.6, 0.0, //
                -0.4, 1.0, 0.0, 0.3, //
                0.6, 0.0, 1.0, -0.2, //
                0.0, 0.3, -0.2, 1.0,
            ],
        );
        let (smallest, _) = smallest_eigen(&m).unwrap();
        assert!(smallest > 0.05, "{smallest}");
    }

    /// A uniform draw from [0, 1).
    fn uniform(rng: &mut TestRng) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A random symmetric matrix with unit diagonal and entries in [−1, 1] (usually not PSD).
    fn random_symmetric(rng: &mut TestRng, n: usize) -> DMatrix<f64> {
        let mut m = DMatrix::identity(n, n);
        for i in 0..n {
            for j in 0..i {
                let v = 2.0 * uniform(rng) - 1.0;
                m[(i, j)] = v;
                m[(j, i)] = v;
            }
        }
        m
    }

    /// Eigenvalues clipped at 0, then rescaled to unit diagonal: a valid but not nearest
    /// correlation matrix, to compare the repair with.
    fn clip_and_rescale(m: &DMatrix<f64>) -> DMatrix<f64> {
        let mut e = nalgebra::SymmetricEigen::new(m.clone());
        e.eigenvalues.apply(|v| *v = v.max(0.0));
        let x = e.recompose();
        DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| {
            x[(i, j)] / (x[(i, i)] * x[(j, j)]).sqrt()
        })
    }

    #[test]
    fn repair_gives_a_nearer_valid_correlation_matrix() {
        let mut rng = TestRng::new(11);
        let mut repaired = 0;
        for n in [3, 4, 6, 10] {
            for _ in 0..5 {
                let a = random_symmetric(&mut rng, n);
                let (before, _) = smallest_eigen(&a).unwrap();
                if before >= 0.0 {
                    continue;
                }
                repaired += 1;
                let r = nearest_correlation(&a).unwrap();
                let (after, _) = smallest_eigen(&r.matrix).unwrap();
                assert!(after >= -1e-12, "n {n}: smallest eigenvalue {after}");
                for i in 0..n {
                    assert_eq!(r.matrix[(i, i)], 1.0);
                    for j in 0..n {
                        assert_eq!(r.matrix[(i, j)], r.matrix[(j, i)]);
                        assert!(r.matrix[(i, j)].abs() <= 1.0 + 1e-12);
                    }
                }
                let ours = (&r.matrix - &a).norm();
                let simple = (clip_and_rescale(&a) - &a).norm();
                assert!(
                    ours <= simple + 1e-9,
                    "n {n}: {ours} vs clip-and-rescale {simple}"
                );
            }
        }
        assert!(repaired >= 10, "only {repaired} non-PSD matrices drawn");
    }
}
