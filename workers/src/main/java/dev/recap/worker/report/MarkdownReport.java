package dev.recap.worker.report;

import java.util.List;

/**
 * Renders report.md. The first screen is what a reader came for: the claims with their verdicts
 * read in one line each, and the headline table. Then the charts that compare runs at a glance,
 * the prediction grid, and everything else (all metrics, per-class IoU, wall time, skipped inputs)
 * below, in the same order as report.html.
 */
public final class MarkdownReport {

  private MarkdownReport() {}

  public static String render(ReportBuilder.Contents c, HeadlineTable headline, ReportCharts charts, SamplePredictions samples,
      PredictionGrid.Grids grids) {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(c.title()).append("\n\n");
    md.append("Built from ").append(c.results().results().size()).append(" result.json file(s) and ")
        .append(c.curves().size()).append(" loss.csv file(s); every number below comes from those files. All rows are in ")
        .append("[results.csv](results.csv) and [results.json](results.json).");
    if (!c.skipped().isEmpty()) {
      md.append(" **").append(c.skipped().size()).append(" input(s) were skipped** (listed at the end).");
    }
    md.append("\n\n");
    if (c.assessment() != null) {
      assessment(md, c.assessment(), charts);
    } else {
      md.append("## Claims\n\n");
      for (ClaimCheck.Claim claim : c.claims()) {
        md.append("- **(").append(claim.id()).append(") ").append(claim.verdict().text()).append("**: ")
            .append(escape(claim.statement())).append(". ").append(escape(ClaimReading.of(claim))).append(' ')
            .append(escape(claim.resolution())).append('\n');
      }
      md.append('\n').append(ClaimCheck.rule(c.claimSettings().closeTolerance())).append("\n\n");
    }
    md.append("## Headline\n\n").append(headline.markdown());

    md.append("## Charts\n\n");
    for (ReportCharts.Chart chart : charts.headline()) {
      image(md, chart);
    }
    for (ReportCharts.Chart chart : charts.fractions()) {
      image(md, chart);
    }
    List<ReportTable> alongTraining = ReportTable.alongTraining(c.results());
    if (!alongTraining.isEmpty()) {
      md.append("### Along training\n\n");
      for (ReportCharts.Chart chart : charts.alongTraining()) {
        image(md, chart);
      }
      alongTraining.forEach(t -> table(md, t));
    }
    md.append("### Training\n\n");
    if (charts.training().isEmpty()) {
      md.append("No loss curves (no valid loss.csv).\n\n");
    }
    for (ReportCharts.Chart chart : charts.training()) {
      image(md, chart);
    }

    md.append("## Predictions side by side\n\n");
    if (grids.grids().isEmpty()) {
      md.append("No prediction strips were listed in the results.\n\n");
    }
    for (PredictionGrid grid : grids.grids()) {
      md.append("**").append(escape(grid.task())).append(", ").append(escape(grid.setting().label()))
          .append("** (lowest seed of each run)\n\n|");
      grid.headings().forEach(h -> md.append(' ').append(escape(h)).append(" |"));
      md.append("\n|");
      grid.headings().forEach(h -> md.append(" --- |"));
      md.append('\n');
      for (var row : grid.rows()) {
        md.append('|');
        for (String cell : grid.cells(row)) {
          md.append(' ').append(cell == null ? "—" : "![](" + cell + ")").append(" |");
        }
        md.append('\n');
      }
      md.append('\n');
    }

    if (!c.data().isEmpty()) {
      md.append("## Data\n\n");
      table(md, DataSummaries.table(c.data()));
    }
    ReportTable code = ReportTable.code(c.results());
    if (!code.rows().isEmpty()) {
      md.append("## Code\n\n");
      table(md, code);
    }
    md.append("## Everything else\n\n<details><summary>All metrics, every setting</summary>\n\n");
    table(md, ReportTable.comparison(c.results()));
    md.append("</details>\n\n");
    ReportTable augmentation = ReportTable.pretrainAugmentation(c.results());
    if (!augmentation.rows().isEmpty()) {
      md.append("<details><summary>Training augmentation</summary>\n\n");
      table(md, augmentation);
      md.append("</details>\n\n");
    }
    List<ReportTable> perClass = ReportTable.perClass(c.results());
    if (!perClass.isEmpty()) {
      md.append("<details><summary>Per-class IoU</summary>\n\n");
      perClass.forEach(t -> table(md, t));
      md.append("</details>\n\n");
    }
    md.append("<details><summary>Claims: every comparison</summary>\n\n");
    for (ClaimCheck.Claim claim : c.claims()) {
      md.append("- **(").append(claim.id()).append(") ").append(claim.verdict().text()).append("**\n");
      claim.evidence().forEach(e -> md.append("  - ").append(escape(e)).append('\n'));
      md.append("  - ").append(escape(claim.resolution())).append('\n');
    }
    md.append("\n</details>\n\n");
    if (!charts.other().isEmpty()) {
      md.append("<details><summary>Charts of every other metric</summary>\n\n");
      charts.other().forEach(chart -> image(md, chart));
      md.append("</details>\n\n");
    }
    md.append("<details><summary>All sample prediction images</summary>\n\n");
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
    md.append("</details>\n\n<details><summary>Wall time per stage</summary>\n\n");
    if (c.stageTimes().isEmpty()) {
      md.append("Not recorded: no input result.json has a wallSeconds field.\n\n");
    } else {
      table(md, ReportTable.wallTimes(c.stageTimes()));
    }
    md.append("</details>\n");
    if (!c.skipped().isEmpty()) {
      md.append("\n**Skipped inputs (").append(c.skipped().size()).append(")** — the report covers only what was valid:\n\n");
      c.skipped().forEach(s -> md.append("- ").append(escape(s)).append('\n'));
    }
    return md.toString();
  }

  /** The Assessment section ({@code recap assess}): verdicts, table, the probe along training, caption pairs, cost. */
  private static void assessment(StringBuilder md, Assessment a, ReportCharts charts) {
    md.append("## Assessment\n\n");
    if (a.verdicts().isEmpty()) {
      md.append("No metric was measured on both caption sets: no verdict.\n\n");
    }
    a.verdicts().forEach(v -> md.append("- **").append(escape(v.text())).append("**\n"));
    md.append("\nEach seed trains both CLIPs from the same initialization in the same data order, so the verdict rests on the"
        + " per-seed differences: their mean and its 95% Student t-interval over the seeds. An effect smaller than the"
        + " interval's half-width could not have been seen at this proxy size.\n\n");
    table(md, a.table());
    if (!charts.alongTraining().isEmpty()) {
      md.append("**Along training** (snapshots probed; x: training pairs seen, thousands)\n\n");
      charts.alongTraining().forEach(chart -> image(md, chart));
    }
    if (!a.pairs().isEmpty()) {
      md.append("**").append(a.pairs().size()).append(" caption pairs** (training pairs chosen at random)\n\n")
          .append("| image | original | recaptioned |\n| --- | --- | --- |\n");
      for (Assessment.CaptionPair p : a.pairs()) {
        md.append("| ").append(p.thumbnail() == null ? "—" : "![](" + p.thumbnail() + ")").append(" | ")
            .append(escape(p.original())).append(" | ").append(escape(p.recaptioned() == null ? "—" : p.recaptioned()))
            .append(" |\n");
      }
      md.append('\n');
    }
    if (!a.cost().isEmpty()) {
      md.append("**Cost, measured in this run**\n\n");
      a.cost().forEach(line -> md.append("- ").append(escape(line)).append('\n'));
      md.append('\n');
    }
    if (!a.notes().isEmpty()) {
      md.append("**This run**\n\n");
      a.notes().forEach(line -> md.append("- ").append(escape(line)).append('\n'));
      md.append('\n');
    }
  }

  private static void image(StringBuilder md, ReportCharts.Chart chart) {
    md.append("![").append(escape(chart.title())).append("](").append(chart.file()).append(")\n\n");
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
