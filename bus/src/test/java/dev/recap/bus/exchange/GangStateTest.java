package dev.recap.bus.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.recap.bus.ClusterOptions;
import dev.recap.bus.RecapCluster;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class GangStateTest {

  @Test
  void forgettingJobsRemovesExactlyTheirRunsKeysFromEveryGangMap() throws Exception {
    List<RecapCluster> members = RecapCluster.startEmbedded(2, ClusterOptions.isolated());
    try {
      HazelcastInstance hz = members.get(0).hazelcast();
      // job ids with regex metacharacters, and one job whose id is a prefix of another's
      List<String> jobs = List.of("a.b-1", "a+b-2", "keep", "keep-2");
      for (String job : jobs) {
        hz.getMap(GangState.COMMITS_MAP).set(job + "/gang/head", "h");
        hz.getMap(GangState.COMMITS_MAP).set(job + "/gang/step-8/0", "c");
        hz.getMap(GangState.ROSTER_MAP).set(job + "/gang/member", "r");
        hz.getMap(GangState.FORMATIONS_MAP).set(job + "/gang", "f");
        hz.getMap(GangState.LOSS_MAP).set(job + "/gang/3", "l");
      }
      hz.getMap(GangState.LOSS_MAP).set("axb-1/gang/3", "a key the unquoted pattern a.b-1 would match");
      GangState.forgetJobs(hz, List.of("a.b-1", "a+b-2", "keep-2"));
      Set<String> left = new TreeSet<>();
      for (String map : List.of(GangState.COMMITS_MAP, GangState.ROSTER_MAP, GangState.FORMATIONS_MAP, GangState.LOSS_MAP)) {
        IMap<Object, Object> m = members.get(1).hazelcast().getMap(map);
        m.keySet().forEach(k -> left.add(map + ":" + k));
      }
      assertEquals(new TreeSet<>(List.of(
          GangState.COMMITS_MAP + ":keep/gang/head", GangState.COMMITS_MAP + ":keep/gang/step-8/0",
          GangState.ROSTER_MAP + ":keep/gang/member", GangState.FORMATIONS_MAP + ":keep/gang",
          GangState.LOSS_MAP + ":keep/gang/3", GangState.LOSS_MAP + ":axb-1/gang/3")), left);
    } finally {
      for (RecapCluster m : members) {
        m.close();
      }
    }
  }
}
