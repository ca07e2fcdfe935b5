/**
 * The coordinator's web console: static pages served under {@code /console} by
 * {@link dev.recap.coordinator.console.ConsoleRoutes} that read the REST API with a bearer token
 * and draw the cluster, jobs, results and plugins live. The console holds no data of its own.
 *
 * <h2>The HTTP contract the console reads</h2>
 * What {@link dev.recap.coordinator.web.RestApi} answers is listed in docs/console.md (lists are
 * wrapped, e.g. {@code {jobs: [...]}}, and ids are {@code jobId}/{@code workerId}; the console's
 * {@code js/shapes.js} reads both forms). The contract the console was written against:
 * Every call sends {@code Authorization: Bearer <token>}; a 401 makes the console ask for the
 * token. JSON field names as below; unknown fields are ignored, missing ones shown as "–".
 * <ul>
 * <li>{@code GET /api/workers} → {@code [{id, host, device, cores, memoryMb,
 *     plugins:[{id, version, extensionPoint}], currentTask, lastHeartbeat (epoch ms)}]}</li>
 * <li>{@code GET /api/jobs} → {@code [{id, name, state, submittedAt (epoch ms),
 *     stages:[{name, kind, state, tasksDone, tasksTotal, samplesPerSec, etaSeconds}]}]}</li>
 * <li>{@code GET /api/jobs/{id}} → the job plus {@code events:[{time, level, kind, message}]}
 *     (oldest first) and {@code series:{"<stage>/loss" | "/logit_scale" | "/lr" |
 *     "/images_per_sec": [[step, value], ...]}}; 404 for an unknown id</li>
 * <li>{@code GET /api/jobs/{id}/results} (from the tasks' {@code result.json}, docs/results.md)
 *     → {@code {columns:[metric names, in display order],
 *     rows:[{run, encoder, captions, seed, metrics:{name: number}, perClassIoU:{class: number}}],
 *     images:[{run, kind, url}]}}; 404 while there are none yet. Rows of one {@code run} with
 *     several seeds are summarized as mean ± sd. Metric names matching rmse|absrel|loss|error|mae
 *     are lower-is-better. Image urls must be same-origin {@code /api/...} paths: the console
 *     fetches them with the token and shows them as blob: URLs.</li>
 * <li>{@code GET /api/plugins} → {@code [{id, version, extensionPoint, workers:[ids],
 *     conformance: "pass"|"fail"|"unknown"}]}</li>
 * <li>{@code POST /api/jobs} (YAML, {@code Content-Type: application/yaml}) → 201 {@code {id}},
 *     or 400 {@code {errors:[{field, line (1-based), message}]}}</li>
 * <li>{@code GET /api/stream} → {@code text/event-stream}, each event one {@code data:} line of
 *     JSON {@code {type: "worker"|"job"|"metric"|"event", jobId?, ...}}. The visible page
 *     refreshes on the types it shows (debounced to 300 ms). A {@code metric} event of the form
 *     {@code {type:"metric", jobId, series:"<stage>/loss", step, value}} is appended to the open
 *     job's chart without a refresh. If the stream fails the console polls every 2 s.</li>
 * </ul>
 * States are shown as given; {@code SUCCEEDED|COMPLETED|DONE|FINISHED} count as finished.
 */
package dev.recap.coordinator.console;
