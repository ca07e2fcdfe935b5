package dev.recap.plugins.captioners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.util.cuda.CudaUtils;
import dev.recap.api.Extensions;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The learned captioner trains and captions on the device its host reports, never a fixed one. */
class LearnedCaptionerDeviceTest {

  static final List<CaptionRequest> REFERENCES = TinyScenes.scenes(0, 16, 16, 8).stream().map(TinyScenes.Scene::reference).toList();

  static boolean cudaInThisJvm() {
    return CudaUtils.getGpuCount() > 0 && Engine.getInstance().hasCapability(StandardCapabilities.CUDA);
  }

  static void assertParametersOn(Device device, LearnedSession session) {
    session.network().getParameters().values().forEach(p -> assertEquals(device, p.getArray().getDevice(), p.getName()));
  }

  @Test
  void theNetworkLivesOnTheHostsDevice() throws IOException {
    Extensions host = LearnedCaptionerTest.EXTENSIONS.onDevice(Device.cpu());
    try (LearnedSession s = (LearnedSession) new LearnedCaptioner().open(LearnedCaptionerTest.TINY, 3, host)) {
      s.train(REFERENCES);
      assertParametersOn(Device.cpu(), s);
    }
  }

  @Test
  void aGpuThisLibtorchCannotServeFailsTheTrainingInsteadOfFallingBackToTheCpu() throws IOException {
    assumeFalse(cudaInThisJvm(), "this JVM's libtorch has CUDA and sees a GPU");
    Extensions host = LearnedCaptionerTest.EXTENSIONS.onDevice(Device.gpu(0));
    try (LearnedSession s = (LearnedSession) new LearnedCaptioner().open(LearnedCaptionerTest.TINY, 3, host)) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> s.train(REFERENCES));
      assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("cuda"), String.valueOf(e.getMessage()));
    }
  }

  @Test
  void onACudaGpuTheCaptionerTrainsAndCaptionsThere() throws IOException {
    assumeTrue(cudaInThisJvm(), "needs a CUDA GPU and a CUDA libtorch in PYTORCH_LIBRARY_PATH (docs/gpu.md)");
    Device gpu = Device.gpu(0);
    try (LearnedSession s = (LearnedSession) new LearnedCaptioner().open(LearnedCaptionerTest.TINY, 3,
        LearnedCaptionerTest.EXTENSIONS.onDevice(gpu))) {
      s.train(REFERENCES);
      assertParametersOn(gpu, s);
      assertTrue(Float.isFinite(s.lastLoss()), "last loss " + s.lastLoss());
      List<Caption> captions = s.caption(TinyScenes.scenes(100, 3, 16, 8).stream().map(TinyScenes.Scene::request).toList());
      assertEquals(3, captions.size());
    }
  }
}
