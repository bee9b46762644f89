package org.edgellm.scheduler.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.edgellm.scheduler.Schedule;
import org.edgellm.scheduler.ScheduledBatch;

/** Writes a {@link Schedule} in the output format of spec section 5 (one object per line). */
public final class ScheduleJson {

    private ScheduleJson() {}

    public static ObjectNode toJson(Schedule s) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        out.put("objective", s.objective());
        ArrayNode as = out.putArray("assignments");
        for (ScheduledBatch b : s.batches()) {
            ObjectNode a = as.addObject();
            a.put("node", b.node());
            a.put("variant", b.variant());
            ArrayNode ids = a.putArray("requests");
            b.requests().forEach(ids::add);
            a.put("uplinkMs", b.timeline().uplinkMs());
            a.put("computeStartMs", b.timeline().computeStartMs());
            a.put("computeMs", b.timeline().computeMs());
            a.put("computeEndMs", b.timeline().computeEndMs());
            ObjectNode fin = a.putObject("finishMs");
            for (Map.Entry<String, Double> e : b.timeline().finishMs().entrySet()) {
                fin.put(e.getKey(), e.getValue());
            }
            ObjectNode up = a.putObject("uplinkShareHz");
            for (Map.Entry<String, Double> e : b.timeline().uplinkShareHz().entrySet()) {
                up.put(e.getKey(), e.getValue());
            }
            ObjectNode down = a.putObject("downlinkShareHz");
            for (Map.Entry<String, Double> e : b.timeline().downlinkShareHz().entrySet()) {
                down.put(e.getKey(), e.getValue());
            }
        }
        ArrayNode un = out.putArray("unassigned");
        s.unassigned().forEach(un::add);
        ObjectNode st = out.putObject("stats");
        st.put("algorithm", s.stats().algorithm());
        st.put("nodesVisited", s.stats().nodesVisited());
        st.put("feasibilityChecks", s.stats().feasibilityChecks());
        st.put("solveMicros", s.stats().solveMicros());
        if (s.stats().upperBound() == null) {
            st.putNull("upperBound");
        } else {
            st.put("upperBound", s.stats().upperBound());
        }
        st.put("provenOptimal", s.stats().provenOptimal());
        return out;
    }
}
