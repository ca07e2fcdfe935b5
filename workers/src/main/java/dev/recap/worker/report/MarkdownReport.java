package dev.recap.worker.report;

import java.util.List;


/** Renders report.md: claims, tables, PNG charts, sample predictions, wall times, skipped inputs. */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(ReportBuilder.Contents c, ReportCharts charts, SamplePredictions samples) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(c.title()).append("\n\n");
    md.append("Built from ").append(c.results().results().size()).append(" result.json file(s) and ")
        .append(c.curves().size()).append(" loss.csv file(s). Every number below comes from those files.\n\n");
    if (!c.skipped().isEmpty()) {
      md.append("**Skipped inputs (").append(c.skipped().size()).append(")** — the report covers only what was valid:\n\n");
      c.skipped().forEach(s -> md.append("- ").append(escape(s)).append('\n'));
      md.append('\n');
    }
    md.append("## Claims\n\n").append(ClaimCheck.rule(c.claimSettings().closeTolerance())).append("\n\n");
    for (ClaimCheck.Claim claim : c.claims()) {
      md.append("- **(").append(claim.id()).append(") ").append(claim.verdict().text()).append("**: ")
          .append(escape(claim.statement())).append('\n');
      claim.evidence().forEach(e -> md.append("  - ").append(escape(e)).append('\n'));
    }
    md.append('\n');
    md.append("## Comparison\n\n");
    table(md, ReportTable.comparison(c.results()));
    ReportTable augmentation = ReportTable.pretrainAugmentation(c.results());
    if (!augmentation.rows().isEmpty()) {
      table(md, augmentation);
    }
    List<ReportTable> perClass = ReportTable.perClass(c.results());
    if (!perClass.isEmpty()) {
      md.append("## Per-class IoU\n\n");
      perClass.forEach(t -> table(md, t));
    }
    md.append("## Charts\n\n");
    if (charts.lossFile() != null) {
      md.append("![Pretraining loss](").append(charts.lossFile()).append(")\n\n");
    } else {
      md.append("No loss curves (no valid loss.csv).\n\n");
    }
    for (ReportCharts.BarChart bar : charts.barCharts()) {
      md.append("![").append(escape(bar.title())).append("](").append(bar.file()).append(")\n\n");
    }
    md.append("## Sample predictions\n\nThe images listed in the results, of the lowest seed of each run, setting and task.\n\n");
    if (samples.names().isEmpty()) {
      md.append("No prediction images were listed in the results.\n\n");
    }
    for (RunResult r : c.results().results()) {
      for (RunResult.PredictionImage image : r.images()) {
        String name = samples.names().get(image.file());
        if (name != null) {
          md.append("**").append(escape(r.run())).append("** seed ").append(r.seed()).append(", ").append(r.protocol())
              .append(" @ ").append(Math.round(r.fraction() * 100)).append("%, ").append(escape(image.kind()))
              .append("\n\n![").append(escape(r.run() + " " + image.kind())).append("](").append(name).append(")\n\n");
        }
      }
    }
    md.append("## Wall time per stage\n\n");
    if (c.stageTimes().isEmpty()) {
      md.append("Not recorded: no input result.json has a wallSeconds field.\n");
    } else {
      table(md, ReportTable.wallTimes(c.stageTimes()));
    }
    return md.toString();
  }

  private static void table(StringBuilder md, ReportTable t) {
    md.append('*').append(escape(t.caption())).append("*\n\n|");
    t.header().forEach(h -> md.append(' ').append(escape(h)).append(" |"));
    md.append("\n|");
    t.header().forEach(h -> md.append(" --- |"));
    md.append('\n');
    for (List<String> row : t.rows()) {
      md.append('|');
      row.forEach(cell -> md.append(' ').append(escape(cell)).append(" |"));
      md.append('\n');
    }
    md.append('\n');
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

}
