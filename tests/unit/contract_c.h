/*
 * Functions compiled from plain C (contract_c.c) that expose what the contract header does
 * when it is compiled as C, so the C++ tests can compare it with the C++ compilation.
 */
#ifndef YASMIN_TESTS_UNIT_CONTRACT_C_H_
#define YASMIN_TESTS_UNIT_CONTRACT_C_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

bool contract_c_domid_is_valid(uint32_t domid);
bool contract_c_cid_is_valid(uint32_t cid);
uint32_t contract_c_cid_from_domid(uint16_t domid);
uint16_t contract_c_domid_from_cid(uint32_t cid);

/* snprintf() of YASMIN_XS_RENDEZVOUS_FMT into buffer; returns what snprintf returns. */
int contract_c_format_rendezvous_path(char *buffer, size_t size, unsigned int owner,
				      unsigned int peer);

#ifdef __cplusplus
}
#endif

#endif /* YASMIN_TESTS_UNIT_CONTRACT_C_H_ */
