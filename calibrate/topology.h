/* topology.h: what NVML says about the machine: the driver, and per GPU its name, PCIe link (generation and width,
 * current and maximum: a x16 slot trained at x8, or a link idling at gen 1, halves what copies get), NVLink links up
 * and NUMA node. NVML (libnvidia-ml.so.1, part of the driver) is loaded at run time: no link-time dependency, and a
 * machine without it still gets its copies measured. */
#ifndef WP_CAL_TOPOLOGY_H
#define WP_CAL_TOPOLOGY_H

#include <stddef.h>

/* -1 in any field: NVML could not say (not supported, or an older driver). */
typedef struct cal_topology {
    char name[96];
    int pcie_gen_current, pcie_gen_max;
    int pcie_width_current, pcie_width_max;
    int nvlink_links_up;
    int numa_node;
} cal_topology;

/* Loads and initialises NVML. Returns 0, or -1 with why (n bytes) saying what failed. */
int cal_nvml_open(char *why, size_t n);
/* The driver version text ("580.95.05"); "" when NVML is not open. */
const char *cal_nvml_driver(void);
/* Fills t for the GPU at PCI bus id bus (as cudaDeviceGetPCIBusId writes it); every field -1 (name "") when NVML is
 * not open or does not know the GPU. */
void cal_nvml_topology(const char *bus, cal_topology *t);
/* The SM clock of the GPU at bus now, in MHz; -1 when NVML is not open or cannot say. */
int cal_nvml_sm_clock(const char *bus);
void cal_nvml_close(void);

#endif
