/* topology.c: see topology.h. The few NVML entry points used are declared here, with NVML's documented C signatures
 * (nvml.h is not needed to build, as libnvidia-ml is not needed to link). */
#include "topology.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

typedef struct nvml_device *nvml_device; /* nvmlDevice_t: an opaque handle */
typedef int nvml_return;                 /* nvmlReturn_t: 0 is NVML_SUCCESS */

enum { NVML_NVLINK_LINKS = 18 }; /* NVML_NVLINK_MAX_LINKS: links beyond a GPU's own are refused, not counted */

static struct {
    void *lib;
    char driver[80];
    nvml_return (*init)(void);
    nvml_return (*shutdown)(void);
    const char *(*error_string)(nvml_return);
    nvml_return (*driver_version)(char *, unsigned);
    nvml_return (*by_bus)(const char *, nvml_device *);
    nvml_return (*name)(nvml_device, char *, unsigned);
    nvml_return (*gen_current)(nvml_device, unsigned *);
    nvml_return (*gen_max)(nvml_device, unsigned *);
    nvml_return (*width_current)(nvml_device, unsigned *);
    nvml_return (*width_max)(nvml_device, unsigned *);
    nvml_return (*nvlink_state)(nvml_device, unsigned, int *);
    nvml_return (*numa_node)(nvml_device, unsigned *); /* from driver r550; NULL before */
    nvml_return (*clock)(nvml_device, int, unsigned *);
} nvml;

/* The symbols, by name and where they go; every one but the NUMA and clock queries is required. */
static const struct {
    const char *symbol;
    void **slot;
    int optional;
} symbols[] = {
    {"nvmlInit_v2", (void **)&nvml.init, 0},
    {"nvmlShutdown", (void **)&nvml.shutdown, 0},
    {"nvmlErrorString", (void **)&nvml.error_string, 0},
    {"nvmlSystemGetDriverVersion", (void **)&nvml.driver_version, 0},
    {"nvmlDeviceGetHandleByPciBusId_v2", (void **)&nvml.by_bus, 0},
    {"nvmlDeviceGetName", (void **)&nvml.name, 0},
    {"nvmlDeviceGetCurrPcieLinkGeneration", (void **)&nvml.gen_current, 0},
    {"nvmlDeviceGetMaxPcieLinkGeneration", (void **)&nvml.gen_max, 0},
    {"nvmlDeviceGetCurrPcieLinkWidth", (void **)&nvml.width_current, 0},
    {"nvmlDeviceGetMaxPcieLinkWidth", (void **)&nvml.width_max, 0},
    {"nvmlDeviceGetNvLinkState", (void **)&nvml.nvlink_state, 0},
    {"nvmlDeviceGetNumaNodeId", (void **)&nvml.numa_node, 1},
    {"nvmlDeviceGetClockInfo", (void **)&nvml.clock, 1},
};

int cal_nvml_open(char *why, size_t n)
{
    nvml.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!nvml.lib) {
        snprintf(why, n, "libnvidia-ml.so.1 not loaded: %s", dlerror());
        return -1;
    }
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        /* dlsym returns void *; POSIX guarantees it converts to a function pointer, C does not: copy the bits. */
        void *sym = dlsym(nvml.lib, symbols[i].symbol);
        memcpy(symbols[i].slot, &sym, sizeof(sym));
        if (!sym && !symbols[i].optional) {
            snprintf(why, n, "libnvidia-ml.so.1 has no %s (driver too old?)", symbols[i].symbol);
            dlclose(nvml.lib);
            memset(&nvml, 0, sizeof(nvml));
            return -1;
        }
    }
    nvml_return rc = nvml.init();
    if (rc != 0) {
        snprintf(why, n, "nvmlInit: %s", nvml.error_string(rc));
        dlclose(nvml.lib);
        memset(&nvml, 0, sizeof(nvml));
        return -1;
    }
    if (nvml.driver_version(nvml.driver, sizeof(nvml.driver)) != 0)
        nvml.driver[0] = '\0';
    return 0;
}

const char *cal_nvml_driver(void)
{
    return nvml.driver;
}

static int query(nvml_return (*fn)(nvml_device, unsigned *), nvml_device d)
{
    unsigned v;
    return fn && fn(d, &v) == 0 ? (int)v : -1;
}

void cal_nvml_topology(const char *bus, cal_topology *t)
{
    memset(t, 0, sizeof(*t));
    t->pcie_gen_current = t->pcie_gen_max = t->pcie_width_current = t->pcie_width_max = -1;
    t->nvlink_links_up = t->numa_node = -1;
    nvml_device d;
    if (!nvml.lib || nvml.by_bus(bus, &d) != 0)
        return;
    if (nvml.name(d, t->name, sizeof(t->name)) != 0)
        t->name[0] = '\0';
    t->pcie_gen_current = query(nvml.gen_current, d);
    t->pcie_gen_max = query(nvml.gen_max, d);
    t->pcie_width_current = query(nvml.width_current, d);
    t->pcie_width_max = query(nvml.width_max, d);
    t->numa_node = query(nvml.numa_node, d);
    int up = 0, answered = 0;
    for (unsigned link = 0; link < NVML_NVLINK_LINKS; link++) {
        int active = 0;
        if (nvml.nvlink_state(d, link, &active) == 0) {
            answered = 1;
            up += active != 0;
        }
    }
    t->nvlink_links_up = answered ? up : 0; /* no link answered: a GPU without NVLink has none up */
}

int cal_nvml_sm_clock(const char *bus)
{
    enum { NVML_CLOCK_SM = 1 };
    nvml_device d;
    unsigned mhz;
    if (!nvml.lib || !nvml.clock || nvml.by_bus(bus, &d) != 0 || nvml.clock(d, NVML_CLOCK_SM, &mhz) != 0)
        return -1;
    return (int)mhz;
}

void cal_nvml_close(void)
{
    if (!nvml.lib) /* set only once NVML is initialised: every failure of cal_nvml_open clears it */
        return;
    nvml.shutdown();
    dlclose(nvml.lib);
    memset(&nvml, 0, sizeof(nvml));
}
