/*
 * Built as strict C11 with -Wall -Wextra -Werror (see CMakeLists.txt): if the contract header
 * stops being valid C, this file stops compiling and the unit tests cannot be built.
 */
#include "contract_c.h"

#include <stdio.h>

#include "yasmin/contract.h"

bool contract_c_domid_is_valid(uint32_t domid)
{
	return yasmin_domid_is_valid(domid);
}

bool contract_c_cid_is_valid(uint32_t cid)
{
	return yasmin_cid_is_valid(cid);
}

uint32_t contract_c_cid_from_domid(uint16_t domid)
{
	return yasmin_cid_from_domid(domid);
}

uint16_t contract_c_domid_from_cid(uint32_t cid)
{
	return yasmin_domid_from_cid(cid);
}

int contract_c_format_rendezvous_path(char *buffer, size_t size, unsigned int owner,
				      unsigned int peer)
{
	return snprintf(buffer, size, YASMIN_XS_RENDEZVOUS_FMT, owner, peer);
}
