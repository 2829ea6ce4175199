-- Neovim 0.7 headless client for neovim.test.mjs: starts the Reprise server through Neovim's built-in LSP client,
-- attaches it to the opened buffer, and once diagnostics arrive writes them (and the buffer's document symbols)
-- to $REPRISE_NVIM_OUT, then quits. A deadline writes TIMEOUT instead of hanging.
local out = os.getenv("REPRISE_NVIM_OUT")
-- The init file runs before the file on the command line is loaded: attach once it is.
vim.api.nvim_create_autocmd("VimEnter", {
  callback = function()
    local client_id = vim.lsp.start_client({
      name = "reprise",
      cmd = { os.getenv("REPRISE_NODE"), os.getenv("REPRISE_SERVER"), "--stdio" },
      root_dir = os.getenv("REPRISE_ROOT"),
    })
    vim.lsp.buf_attach_client(0, client_id)
  end,
})

local finished = false
local function finish(lines)
  if finished then return end
  finished = true
  vim.fn.writefile(lines, out)
  vim.cmd("qa!")
end

local asked = false
local function report()
  if asked then return end
  local diags = vim.diagnostic.get(0)
  if #diags == 0 then return end
  asked = true
  local lines = {}
  for _, d in ipairs(diags) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or ""
    table.insert(lines, string.format("diagnostic %d:%d-%d:%d %s %s", d.lnum, d.col, d.end_lnum, d.end_col, code, d.message))
  end
  -- Asynchronous on purpose: a blocking request would stall the server's own workspace/configuration request.
  vim.lsp.buf_request(0, "textDocument/documentSymbol", { textDocument = vim.lsp.util.make_text_document_params() }, function(err, result)
    if err then table.insert(lines, "error " .. vim.inspect(err)) end
    for _, s in ipairs(result or {}) do table.insert(lines, "symbol " .. s.name) end
    finish(lines)
  end)
end

vim.api.nvim_create_autocmd("DiagnosticChanged", { callback = function() vim.schedule(report) end })
vim.defer_fn(function() finish({ "TIMEOUT" }) end, 20000)
