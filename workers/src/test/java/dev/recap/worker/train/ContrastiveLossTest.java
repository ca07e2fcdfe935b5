package dev.recap.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ContrastiveLossTest {

  /**
   * Image and text embeddings whose similarity matrix is S = [[1, 0, 0], [0.5, 1, 0], [0, 0, 1]]
   * (image i . text j), scale 2, so logits L = 2S:
   * <pre>
   *   rows (image->text): row0 = [2,0,0], row1 = [1,2,0], row2 = [0,0,2]
   *     CE0 = ln(e^2 + 2) - 2, CE1 = ln(e + e^2 + 1) - 2, CE2 = ln(e^2 + 2) - 2
   *   cols (text->image): col0 = [2,1,0], col1 = [0,2,0], col2 = [0,0,2]
   *     CE0 = ln(e^2 + e + 1) - 2, CE1 = ln(e^2 + 2) - 2, CE2 = ln(e^2 + 2) - 2
   *   loss = (mean(rows) + mean(cols)) / 2 = (4 ln(e^2+2) + 2 ln(e^2+e+1) - 12) / 6
   * </pre>
   */
  @Test
  void handComputedThreeByThree() {
    double e = Math.E;
    double expected = (4 * Math.log(e * e + 2) + 2 * Math.log(e * e + e + 1) - 12) / 6;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray image = m.create(new float[][] {{1, 0, 0}, {0.5f, 1, 0}, {0, 0, 1}});
      NDArray text = m.eye(3);
      float loss = ContrastiveLoss.symmetricInfoNce(image, text, m.create(2f)).getFloat();
      assertEquals(expected, loss, 1e-6);
      assertEquals(0.29557, expected, 1e-5); // the number itself, for the record
    }
  }

  @Test
  void perfectlySeparatedPairsGiveLossNearZeroAndRandomNearLnN() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray eye = m.eye(4);
      assertTrue(ContrastiveLoss.symmetricInfoNce(eye, eye, m.create(100f)).getFloat() < 1e-6);
      NDArray same = m.ones(new Shape(4, 4)).div(2);
      assertEquals(Math.log(4), ContrastiveLoss.symmetricInfoNce(same, same, m.create(10f)).getFloat(), 1e-6);
    }
  }

  /** Central differences in float64 against autograd for embeddings and the scale. */
  @Test
  void gradientMatchesFiniteDifferences() {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(17);
      NDArray image = m.randomNormal(0, 1, new Shape(5, 4), DataType.FLOAT64);
      NDArray text = m.randomNormal(0, 1, new Shape(5, 4), DataType.FLOAT64);
      NDArray scale = m.create(1.7);
      image.setRequiresGradient(true);
      text.setRequiresGradient(true);
      scale.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(ContrastiveLoss.symmetricInfoNce(image, text, scale));
      }
      int checked = 0;
      for (NDArray x : new NDArray[] {image, text, scale}) {
        double[] grad = x.getGradient().toDoubleArray();
        double[] v = x.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
          double h = 1e-6;
          double orig = v[i];
          v[i] = orig + h;
          x.set(v);
          double up = ContrastiveLoss.symmetricInfoNce(image, text, scale).getDouble();
          v[i] = orig - h;
          x.set(v);
          double down = ContrastiveLoss.symmetricInfoNce(image, text, scale).getDouble();
          v[i] = orig;
          x.set(v);
          double fd = (up - down) / (2 * h);
          assertEquals(fd, grad[i], 1e-7 + 1e-6 * Math.abs(fd), "entry " + i + " of " + x.getShape());
          checked++;
        }
      }
      assertEquals(41, checked);
    }
  }
}
