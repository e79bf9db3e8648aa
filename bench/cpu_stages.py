"""CPU seconds per stage (user + system of this process and its children) for one workload.

    NORMALIZE__WORKERS=1 .venv/bin/python bench/cpu_stages.py nested 200000
    /work/main/.venv-peer/bin/python bench/cpu_stages.py nested 200000 parquet
    ROWS_ONLY=1 .venv/bin/python bench/cpu_stages.py api 60000   # ours with the fast path off

On a machine shared with other work, CPU time per stage disturbs less than wall time. The data
(flat, nested, merge from the reference benchmark's workloads.py, `api` and `general` from bench/workloads.py)
is built in memory first; a third argument is the loader file format passed to extract (the
peer: parquet). Prints one JSON line: CPU s of extract, normalize, load and their total, wall s.
"""
import os, sys, time, tempfile, resource, json
sys.path.insert(0, os.environ.get("REFERENCE_BENCH", "/work/shared/bench"))
import workloads
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
import dlt
if os.environ.get("ROWS_ONLY"):
    # ours only: every page goes through the row path
    from dlt.normalize import normalizer as _n
    _n.page_tables = lambda *a: None
def cpu():
    s = resource.getrusage(resource.RUSAGE_SELF); c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
w, n = sys.argv[1], int(sys.argv[2]); fmt = sys.argv[3] if len(sys.argv) > 3 else None
work = tempfile.mkdtemp()
p = dlt.pipeline(pipeline_name="c", pipelines_dir=work + "/p", destination=dlt.destinations.duckdb(work + "/d.duckdb"), dataset_name="c", dev_mode=True)
def data(phase=0):
    if w == "flat": return dlt.resource(list(workloads.flat(n, page_size=1000)), name="flat")
    if w == "nested": return dlt.resource(list(workloads.nested(n, page_size=1000)), name="nested")
    if w in ("api", "general"):
        import importlib.util as iu
        spec = iu.spec_from_file_location("bench_workloads", os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.py")); bw = iu.module_from_spec(spec); sys.modules["bench_workloads"] = bw; spec.loader.exec_module(bw)
        return dlt.resource(list(bw.api_pages(n) if w == "api" else bw.general_pages(n)), name="issues" if w == "api" else "general")
    if w == "merge":
        a, b = workloads.merge_batches(n, page_size=1000)
        return dlt.resource(list(a if phase == 0 else b), name="m", write_disposition="merge", primary_key="id")
def stages(res):
    out = []
    c0 = cpu(); t0 = time.perf_counter()
    p.extract(res, loader_file_format=fmt) if fmt else p.extract(res)
    c1 = cpu(); p.normalize(); c2 = cpu(); p.load(); c3 = cpu()
    return [round(c1 - c0, 2), round(c2 - c1, 2), round(c3 - c2, 2), round(c3 - c0, 2), round(time.perf_counter() - t0, 2)]
if w == "merge":
    stages(data(0))
r = stages(data(1))
print(json.dumps({"impl": "peer" if fmt else "ours", "w": w, "n": n, "cpu_e_n_l_total": r[:4], "wall": r[4], "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
