package dev.recap.worker.eval;

/** Small dense-vector operations the retrieval and zero-shot metrics share. */
final class Embeddings {

  private Embeddings() {}

  /** A unit-length copy of {@code v}; a zero vector stays zero. */
  static float[] normalized(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    norm = Math.sqrt(norm);
    float[] out = new float[v.length];
    if (norm == 0) {
      return out;
    }
    for (int i = 0; i < v.length; i++) {
      out[i] = (float) (v[i] / norm);
    }
    return out;
  }

  static float dot(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("embedding widths differ: " + a.length + " vs " + b.length);
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }

  /** {@code [rows.length][cols.length]} cosine similarities. */
  static float[][] cosineSimilarity(float[][] rows, float[][] cols) {
    float[][] r = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      r[i] = normalized(rows[i]);
    }
    float[][] c = new float[cols.length][];
    for (int j = 0; j < cols.length; j++) {
      c[j] = normalized(cols[j]);
    }
    float[][] sim = new float[rows.length][cols.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < cols.length; j++) {
        sim[i][j] = dot(r[i], c[j]);
      }
    }
    return sim;
  }
}
