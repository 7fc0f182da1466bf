/* main.c - the concur command line (being written). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "concur: not yet\n");
	return 2;
}
