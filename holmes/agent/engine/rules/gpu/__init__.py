"""CEL functions for the gpu runbooks; each module lists its own in `FUNCTIONS`.

GPU helpers read the `data.gpus` list of `prometheus_gpu_health` (one dict per GPU: node, gpu,
pods, readings, xid {code, info {cause, drain, action...}, since}, clock_reasons, findings...);
DRA helpers read raw `resource.k8s.io` objects of any served version (v1, v1beta2, v1beta1).
All functions are pure; each module lists the ones it defines in `FUNCTIONS`:

- `scope`: which GPUs belong to the subject;
- `xids`: which have a hardware fault or an application Xid, and the texts of their findings;
- `throttling`: which are throttled by a worrying clock-event reason, and their readings;
- `text`: GPUs, nodes and pods named in a sentence, memory sizes, the CUDA error line of a log;
- `dra_devices`: ResourceSlice devices as DRA CEL selectors see them, and those selectors
  evaluated (with `dra_cel`: Kubernetes' CEL libraries; no CEL functions of its own);
- `model_fit`: whether the model a serving container (vLLM, TGI, SGLang) loads fits its
  GPUs' memory (`serving_config` reads its settings, `model_memory` does the arithmetic;
  neither has CEL functions of its own);
- `repeat_faults`: GPUs whose hardware Xids or memory errors recur over days (for RMA), with
  their DRA device taints and claim device conditions;
- `topology`: a pod's GPUs and RDMA NICs (DRA allocations) on different PCIe roots or NUMA
  nodes, and what NCCL logged about it;
- `dra`: the unallocated claims of pods, and why a claim cannot be allocated (each request
  alternative judged by `dra_judge`, as the scheduler would).

Registered by `holmes.agent.engine.rules.builtin`, which lists every module.
"""
