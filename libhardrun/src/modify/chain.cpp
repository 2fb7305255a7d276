// SPDX-License-Identifier: Apache-2.0
#include "hardrun/modify/modifier.hpp"

#include "modifiers.hpp"

namespace hardrun::modify {
namespace {

// Walk to the parent of `pointer`, creating objects on the way; returns the parent and leaf key.
std::pair<spec::Json*, std::string>
parent_of(spec::Json& root, std::string_view pointer, bool create)
{
  spec::Json* cur = &root;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t next = pointer.find('/', pos + 1);
    std::string token(pointer.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1));
    if (next == std::string_view::npos) {
      return {cur, token};
    }
    if (!cur->is_object()) {
      return {nullptr, token};
    }
    auto it = cur->find(token);
    if (it == cur->end()) {
      if (!create) {
        return {nullptr, token};
      }
      (*cur)[token] = spec::Json::object();
      it = cur->find(token);
    }
    cur = &*it;
    pos = next;
  }
}

} // namespace

void
set_value(spec::Json& config, std::string_view pointer, spec::Json value, std::string_view modifier, Changes& out)
{
  auto [parent, key] = parent_of(config, pointer, true);
  if (parent == nullptr || !parent->is_object()) {
    return; // check_shape guarantees objects on every path a modifier writes
  }
  const auto it = parent->find(key);
  std::optional<spec::Json> before;
  if (it != parent->end()) {
    if (*it == value) {
      return;
    }
    before = *it;
  }
  out.push_back(Change{std::string(modifier), std::string(pointer), std::move(before), value});
  (*parent)[key] = std::move(value);
}

void
erase_value(spec::Json& config, std::string_view pointer, std::string_view modifier, Changes& out)
{
  auto [parent, key] = parent_of(config, pointer, false);
  if (parent == nullptr || !parent->is_object()) {
    return;
  }
  const auto it = parent->find(key);
  if (it == parent->end()) {
    return;
  }
  out.push_back(Change{std::string(modifier), std::string(pointer), *it, std::nullopt});
  parent->erase(key);
}

std::vector<std::unique_ptr<Modifier>>
default_chain()
{
  std::vector<std::unique_ptr<Modifier>> chain;
  chain.push_back(make_user_namespace());
  chain.push_back(make_non_root_user());
  chain.push_back(make_drop_capabilities());
  chain.push_back(make_no_new_privileges());
  chain.push_back(make_read_only_root());
  chain.push_back(make_masked_paths());
  chain.push_back(make_readonly_paths());
  chain.push_back(make_pids_limit());
  chain.push_back(make_seccomp());
  return chain;
}

std::vector<std::string>
modifier_names()
{
  std::vector<std::string> names;
  for (const auto& m : default_chain()) {
    names.emplace_back(m->name());
  }
  return names;
}

Result<Changes>
apply_chain(const std::vector<std::unique_ptr<Modifier>>& chain, spec::Json& config, const Context& ctx)
{
  Changes all;
  for (const auto& m : chain) {
    auto changes = m->apply(config, ctx);
    if (!changes) {
      return Unexpected(std::move(changes).error().with_context(std::string(m->name())));
    }
    all.insert(all.end(), std::make_move_iterator(changes->begin()), std::make_move_iterator(changes->end()));
  }
  return all;
}

} // namespace hardrun::modify
