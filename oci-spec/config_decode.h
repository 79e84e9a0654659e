/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_decode.h - internal: the per-section decoders and clear functions
 * shared by config.c, config_process.c, config_linux.c and
 * config_resources.c.
 *
 * A decoder fills an already zeroed struct in place from JSON object v at
 * path p; on failure it returns -1 with d->err set and leaves the struct
 * partly filled: the matching clear/free function releases it.
 */
#ifndef STRATA_OCI_SPEC_CONFIG_DECODE_H
#define STRATA_OCI_SPEC_CONFIG_DECODE_H

#include "config.h"
#include "decode.h"

int dec_process(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_process *out);
int dec_linux(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_linux *out);
int dec_resources(struct dec *d, const struct dec_path *p, const struct json_value *v, struct oci_resources *out);
/* dec_id_mapping - one {containerID, hostID, size} element (elem: struct oci_id_mapping *). */
int dec_id_mapping(struct dec *d, const struct dec_path *p, const struct json_value *v, void *elem);
/* clear for plain structs with nothing to free */
void dec_clear_nothing(void *elem);

void oci_linux_free(struct oci_linux *l);

#endif
