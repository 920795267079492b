#include "transformer/op.hpp"

namespace dcsim {

Op Op::gemm(std::string name, long long m, long long n, long long k, long long batch, double element_bytes)
{
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::Gemm;
  op.m = m, op.n = n, op.k = k, op.batch = batch;
  op.flops = 2.0 * m * n * k * batch;
  op.bytes = element_bytes * batch * (double(m) * k + double(k) * n + double(m) * n);
  return op;
}

Op Op::memory(std::string name, double bytes)
{
  Op op;
  op.name = std::move(name);
  op.kind = OpKind::MemoryBound;
  op.bytes = bytes;
  return op;
}

} // namespace dcsim
